/**
 * The xterm.js terminal of the lab page: fit, web links and Unicode 11 addons,
 * copy with Ctrl+Shift+C, paste with Ctrl+Shift+V (or the browser's own paste),
 * a fit that follows the size of its container, xterm's screen-reader mode on
 * request, and input the page types on the learner's behalf (the phone's
 * extra keys: site/scripts/extra-keys.ts).
 */
import { FitAddon } from '@xterm/addon-fit';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type IDisposable } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface LabTerminal {
  readonly cols: number;
  readonly rows: number;
  /** Writes output bytes; `done` runs once xterm has parsed them (for flow control acks). */
  write(bytes: Uint8Array, done: () => void): void;
  /** A dim line from Drydock itself (not from the sandbox), e.g. "Session ended". */
  notice(text: string): void;
  /** Whether keystrokes go anywhere; an ended session keeps its output readable but takes no input. */
  setActive(active: boolean): void;
  onInput(listener: (data: string | Uint8Array<ArrayBuffer>) => void): IDisposable;
  /** Sends `data` as if the learner had typed it (nothing while input is off). */
  type(data: string): void;
  /**
   * The next typed text goes through `transform` first (a sticky Ctrl from the
   * extra keys), once; `undefined` cancels a pending one.
   */
  transformNextInput(transform: ((data: string) => string) | undefined): void;
  /** Whether the shell asked for application cursor keys (arrows then send ESC O A, not ESC [ A). */
  readonly applicationCursorKeys: boolean;
  /** xterm's screen-reader mode: an accessibility tree that announces new output. */
  setScreenReaderMode(on: boolean): void;
  onResize(listener: (size: { cols: number; rows: number }) => void): IDisposable;
  fit(): void;
  /** A fixed size (a watched learner's screen): the terminal stops following its container. */
  resize(cols: number, rows: number): void;
  focus(): void;
  blur(): void;
  clear(): void;
  /** The visible lines of the buffer, joined by "\n". */
  visibleText(): string;
  /** Every line of the active buffer (scrollback included), and which buffer that is. */
  bufferLines(): { buffer: 'normal' | 'alternate'; lines: string[] };
  dispose(): void;
}

const theme = {
  background: '#0f141b',
  foreground: '#d7dde6',
  cursor: '#7dd3fc',
  cursorAccent: '#0f141b',
  selectionBackground: '#2b4a6b',
  black: '#1b222c',
  red: '#f87171',
  green: '#4ade80',
  yellow: '#facc15',
  blue: '#60a5fa',
  magenta: '#c084fc',
  cyan: '#22d3ee',
  white: '#d7dde6',
  brightBlack: '#6b7785',
  brightRed: '#fca5a5',
  brightGreen: '#86efac',
  brightYellow: '#fde68a',
  brightBlue: '#93c5fd',
  brightMagenta: '#d8b4fe',
  brightCyan: '#67e8f9',
  brightWhite: '#f8fafc',
};

/** Copies the selection; `navigator.clipboard` needs a secure context, so fall back to the copy command. */
async function copySelection(term: Terminal): Promise<void> {
  const text = term.getSelection();
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API outside secure contexts (plain http on a LAN address): the
    // legacy copy command fires a `copy` event that xterm fills from its selection.
    document.execCommand('copy');
  }
}

function binaryStringToBytes(data: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}

/** Lines kept above the screen: all of `seq 1 10000`, and the 5000 restored on reconnect. */
export const SCROLLBACK_LINES = 20_000;

export interface TerminalOptions {
  /** `false`: sized by `resize()` only, not fitted to the mount (a watched screen keeps the learner's size). */
  fit?: boolean;
}

export function createTerminal(mount: HTMLElement, options: TerminalOptions = {}): LabTerminal {
  const following = options.fit ?? true;
  const term = new Terminal({
    allowProposedApi: true, // for the Unicode 11 width tables
    cursorBlink: true,
    fontFamily:
      'ui-monospace, "SFMono-Regular", "Cascadia Mono", "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: window.matchMedia('(max-width: 40rem)').matches ? 13 : 14,
    lineHeight: 1.15,
    // The server passes on every byte the shell writes (not just tmux's screen), so
    // this is what a learner can scroll back through: a long build, `docker compose logs`.
    scrollback: SCROLLBACK_LINES,
    theme,
  });
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.loadAddon(
    new WebLinksAddon((event, uri) => {
      event.preventDefault();
      window.open(uri, '_blank', 'noopener,noreferrer');
    }),
  );
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';

  term.attachCustomKeyEventHandler((event) => {
    if (
      event.type !== 'keydown' ||
      !event.ctrlKey ||
      !event.shiftKey ||
      event.altKey ||
      event.metaKey
    )
      return true;
    const key = event.key.toLowerCase();
    if (key === 'c') {
      // Ctrl+Shift+C copies (and must not open the browser's inspector).
      event.preventDefault();
      void copySelection(term);
      return false;
    }
    if (key === 'v') {
      // Let the browser fire its paste event; xterm's paste handler sends the text.
      return false;
    }
    return true;
  });

  term.open(mount);

  // One subscription to xterm's input for every listener, so a one-shot transform applies once.
  const inputListeners = new Set<(data: string | Uint8Array<ArrayBuffer>) => void>();
  let transformNext: ((data: string) => string) | undefined;
  term.onData((text) => {
    const transform = transformNext;
    transformNext = undefined;
    const data = transform ? transform(text) : text;
    for (const listener of inputListeners) listener(data);
  });
  term.onBinary((text) => {
    const bytes = binaryStringToBytes(text);
    for (const listener of inputListeners) listener(bytes);
  });

  let frame = 0;
  const fit = () => {
    if (!following) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      // Once what was written so far is parsed (xterm parses in later tasks): a
      // screen sent for one size (a reconnect's restored screen) must be drawn
      // at that size before the terminal changes it. On a loaded machine the
      // fit came first and the restore's cursor moves overwrote the last output.
      term.write('', () => {
        if (mount.offsetWidth > 0 && mount.offsetHeight > 0) fitAddon.fit();
      });
    });
  };
  const observer = new ResizeObserver(fit);
  if (following) {
    observer.observe(mount);
    fitAddon.fit();
  }

  return {
    get cols() {
      return term.cols;
    },
    get rows() {
      return term.rows;
    },
    write(bytes, done) {
      term.write(bytes, done);
    },
    notice(text) {
      term.write(`\r\n\x1b[2m── ${text} ──\x1b[0m\r\n`);
    },
    setActive(active) {
      term.options.disableStdin = !active;
      term.options.cursorBlink = active;
      term.options.cursorInactiveStyle = active ? 'outline' : 'none';
    },
    onInput(listener) {
      inputListeners.add(listener);
      return { dispose: () => inputListeners.delete(listener) };
    },
    type(data) {
      term.input(data, true);
    },
    transformNextInput(transform) {
      transformNext = transform;
    },
    get applicationCursorKeys() {
      return term.modes.applicationCursorKeysMode;
    },
    setScreenReaderMode(on) {
      term.options.screenReaderMode = on;
    },
    onResize(listener) {
      return term.onResize(listener);
    },
    fit,
    resize(cols, rows) {
      if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
    },
    focus() {
      term.focus();
    },
    blur() {
      term.blur();
    },
    clear() {
      term.reset();
    },
    visibleText() {
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let y = buffer.viewportY; y < buffer.viewportY + term.rows; y++) {
        lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
      }
      return lines.join('\n');
    },
    bufferLines() {
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < buffer.length; y++)
        lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
      return { buffer: buffer.type, lines };
    },
    dispose() {
      cancelAnimationFrame(frame);
      observer.disconnect();
      term.dispose();
    },
  };
}

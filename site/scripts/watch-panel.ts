/**
 * The dashboard's read-only view of a learner's terminal (docs/api.md,
 * "Watching a terminal"): the WebSocket `/api/sessions/:id/watch`, drawn by
 * the lab page's xterm.js (loaded only when Watch is first pressed) at the
 * learner's own size (`pane-size`), so their screen reads as they see it.
 * Nothing typed here is sent: the terminal takes no input and no listener
 * forwards any (the server would drop it anyway). Output is acknowledged as
 * xterm renders it, as on the lab page. A drop is retried with backoff while
 * the panel is open; a refusal or an ended session stops with a sentence.
 */
import {
  CLOSE_NOT_ALLOWED,
  CLOSE_SESSION_ENDED,
  CLOSE_SIGN_IN_REQUIRED,
  CLOSE_TOO_MANY_TERMINALS,
  CLOSE_UNKNOWN_SESSION,
  closeAction,
} from '../../protocol/close-codes.ts';
import type { LabTerminal } from './lab-terminal.ts';
import { TerminalSocket, type ServerMessage } from './terminal-socket.ts';

declare global {
  interface Window {
    /** For tests: the watched terminal's visible lines, joined by "\n". */
    __drydockWatchText?: () => string;
  }
}

export interface WatchPanelUi {
  panel: HTMLElement;
  title: HTMLElement;
  status: HTMLElement;
  mount: HTMLElement;
  close: HTMLButtonElement;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/** Why watching stopped, for a close code that is not a drop. */
function stopMessage(code: number, reason: string): string {
  switch (code) {
    case CLOSE_SIGN_IN_REQUIRED:
      return 'Your sign-in has expired. Sign in again to watch.';
    case CLOSE_NOT_ALLOWED:
      return 'You may not watch this terminal (the learner’s session may have ended).';
    case CLOSE_UNKNOWN_SESSION:
    case CLOSE_SESSION_ENDED:
      return 'The learner’s session has ended.';
    case CLOSE_TOO_MANY_TERMINALS:
      return reason || 'Too many people are watching this terminal already.';
    default:
      return reason || `The terminal closed (${code}).`;
  }
}

export function watchUrl(sessionId: string, where: Location = location): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${where.host}/api/sessions/${encodeURIComponent(sessionId)}/watch`;
}

export class WatchPanel {
  readonly #ui: WatchPanelUi;
  #terminal: LabTerminal | undefined;
  #socket: TerminalSocket | undefined;
  #sessionId: string | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  /** Which open() is current: a late answer for an earlier learner is dropped. */
  #generation = 0;

  constructor(ui: WatchPanelUi, onClose: () => void) {
    this.#ui = ui;
    ui.close.addEventListener('click', () => {
      this.close();
      onClose();
    });
    window.__drydockWatchText = () => this.#terminal?.visibleText() ?? '';
  }

  /** The session watched now, if the panel is open. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  async open(sessionId: string, displayName: string): Promise<void> {
    this.#disconnect();
    const generation = ++this.#generation;
    this.#sessionId = sessionId;
    this.#failures = 0;
    this.#ui.panel.hidden = false;
    this.#ui.title.textContent = `${displayName}’s terminal`;
    this.#say('Connecting…');
    if (!this.#terminal) {
      const { createTerminal } = await import('./lab-terminal.ts');
      if (generation !== this.#generation) return;
      this.#terminal = createTerminal(this.#ui.mount, { fit: false });
      this.#terminal.setActive(false);
    } else {
      this.#terminal.clear();
      this.#terminal.setActive(false);
    }
    this.#connect(generation);
  }

  /** Stops watching (the learner's page stops saying so) and hides the panel. */
  close(): void {
    this.#generation++;
    this.#disconnect();
    this.#sessionId = undefined;
    this.#ui.panel.hidden = true;
  }

  /** The learner's session is over: say so, keep the last screen readable. */
  ended(): void {
    if (!this.#sessionId) return;
    this.#generation++;
    this.#disconnect();
    this.#say('The learner’s session has ended.');
  }

  #say(text: string): void {
    this.#ui.status.textContent = text;
  }

  #disconnect(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#socket?.close(1000, 'stopped watching');
    this.#socket = undefined;
  }

  #connect(generation: number): void {
    const terminal = this.#terminal!;
    const socket: TerminalSocket = new TerminalSocket(watchUrl(this.#sessionId!), {
      onOutput: (bytes) => terminal.write(bytes, () => socket.acknowledge(bytes.byteLength)),
      onMessage: (message) => this.#onMessage(message),
      onClose: (code, reason) => {
        if (generation !== this.#generation) return;
        this.#socket = undefined;
        if (closeAction(code) !== 'reconnect') return this.#say(stopMessage(code, reason));
        const wait = BACKOFF_MS[Math.min(this.#failures++, BACKOFF_MS.length - 1)]!;
        this.#say('The connection dropped; reconnecting…');
        this.#retry = setTimeout(() => this.#connect(generation), wait);
      },
    });
    this.#socket = socket;
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'ready':
        this.#failures = 0;
        this.#say('Live. You see what they see; nothing you type reaches their terminal.');
        break;
      case 'pane-size':
        this.#terminal?.resize(message.cols, message.rows);
        break;
      case 'status':
        this.#say(message.message);
        break;
      case 'ended':
        this.#say(message.message || 'The learner’s session has ended.');
        break;
      case 'watched':
        break;
    }
  }
}

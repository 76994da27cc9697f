/**
 * The dashboard's read-only view of a learner's terminal (docs/api.md,
 * "Watching a terminal"): the WebSocket `/api/sessions/:id/watch`, drawn by
 * the lab page's xterm.js (loaded only when Watch is first pressed) at the
 * learner's own size (`pane-size`), so their screen reads as they see it.
 * Nothing typed here is sent until the learner lets the watcher type (a
 * take-over: "Ask to type", then their page asks them); until then the
 * terminal takes no input (the server would drop it anyway), and it takes none
 * again once the learner takes control back. Output is acknowledged as xterm
 * renders it, as on the lab page. A drop is retried with backoff while the
 * panel is open; a refusal or an ended session stops with a sentence.
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

type TakeoverMessage = Extract<ServerMessage, { type: 'takeover' }>;

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
  /** "Ask to type" / "Cancel the request" / "Give back control". */
  takeover: HTMLButtonElement;
  /** "Read-only", or "Typing" while the learner lets the watcher type. */
  badge: HTMLElement;
}

const LIVE = 'Live. You see what they see; nothing you type reaches their terminal.';

/** Why a take-over ended, for the watcher who asked (`name`: the learner). */
function takeoverEnded(outcome: TakeoverMessage['outcome'], name: string): string {
  switch (outcome) {
    case 'declined':
      return `${name} declined. You are watching read-only.`;
    case 'unanswered':
      return `${name} did not answer (their lab page may be closed). You are watching read-only.`;
    case 'stopped':
      return `${name} took control back. You are watching read-only.`;
    default:
      return LIVE;
  }
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
  #learnerName = '';
  /** Where a take-over stands for this watcher: theirs asked, theirs granted, someone else's, or none. */
  #takeover: 'none' | 'asked' | 'granted' | 'other' = 'none';
  #ready = false;

  constructor(ui: WatchPanelUi, onClose: () => void) {
    this.#ui = ui;
    ui.close.addEventListener('click', () => {
      this.close();
      onClose();
    });
    ui.takeover.addEventListener('click', () => this.#onTakeoverButton());
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
    this.#learnerName = displayName;
    this.#setTakeover('none');
    this.#say('Connecting…');
    if (!this.#terminal) {
      const { createTerminal } = await import('./lab-terminal.ts');
      if (generation !== this.#generation) return;
      const terminal = createTerminal(this.#ui.mount, { fit: false });
      this.#terminal = terminal;
      terminal.setActive(false);
      // Keys go out only while the learner lets this watcher type; the server checks as well.
      terminal.onInput((data) => {
        if (this.#takeover === 'granted') this.#socket?.sendInput(data);
      });
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
    this.#ready = false;
    this.#setTakeover('none');
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
        this.#ready = true;
        this.#setTakeover(this.#takeover);
        this.#say(LIVE);
        break;
      case 'takeover':
        this.#onTakeover(message);
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

  #onTakeoverButton(): void {
    if (this.#takeover === 'none') {
      this.#socket?.sendControl({ type: 'takeover-request' });
      this.#setTakeover('asked');
      this.#say(`Asking ${this.#learnerName}… Their lab page asks them to let you type.`);
    } else if (this.#takeover === 'asked' || this.#takeover === 'granted') {
      this.#socket?.sendControl({ type: 'takeover-release' });
    }
  }

  #onTakeover(message: TakeoverMessage): void {
    const name = this.#learnerName;
    if (message.state === 'none') {
      this.#setTakeover('none');
      // Only the watcher whose request it was is told why; anyone else just sees it free.
      if (message.yours) this.#say(takeoverEnded(message.outcome, name));
    } else if (!message.yours) {
      this.#setTakeover('other');
      this.#say(
        `${message.by ?? 'Someone'} ${message.state === 'granted' ? 'is typing in' : 'asked to type in'} ${name}’s terminal.`,
      );
    } else if (message.state === 'asked') {
      this.#setTakeover('asked');
      this.#say(`Waiting for ${name} to accept…`);
    } else {
      this.#setTakeover('granted');
      this.#say(
        `You are typing in ${name}’s terminal. They see everything and can take control back.`,
      );
      this.#terminal?.focus();
    }
  }

  /** The button, the badge and whether the terminal takes keys, for where the take-over stands. */
  #setTakeover(state: 'none' | 'asked' | 'granted' | 'other'): void {
    this.#takeover = state;
    const button = this.#ui.takeover;
    button.textContent =
      state === 'granted'
        ? 'Give back control'
        : state === 'asked'
          ? 'Cancel the request'
          : 'Ask to type';
    button.disabled = !this.#ready || state === 'other';
    this.#ui.badge.textContent = state === 'granted' ? 'Typing' : 'Read-only';
    this.#ui.badge.dataset.typing = String(state === 'granted');
    this.#terminal?.setActive(state === 'granted');
  }
}

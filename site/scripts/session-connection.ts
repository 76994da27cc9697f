/**
 * Keeps a terminal attached to a session's WebSocket: output to xterm (acked
 * from xterm's write callback), keystrokes and resizes to the server, and the
 * server's status / ready / ended messages to the page. A dropped connection
 * is retried while the session still lives; close codes that mean "this
 * session is over" end it with a message that says why.
 */
import { ApiError, getSession, type Session } from './lab-api.ts';
import type { LabTerminal } from './lab-terminal.ts';
import {
  CLOSE_BAD_REQUEST,
  CLOSE_NOT_USABLE,
  CLOSE_UNKNOWN_SESSION,
  TerminalSocket,
  terminalUrl,
  type EndReason,
  type ServerMessage,
} from './terminal-socket.ts';

export interface ConnectionEvents {
  /** Progress while the sandbox starts (or the connection is retried). */
  onProgress(text: string, detail: string): void;
  /** The shell is attached: input now reaches it. */
  onReady(): void;
  /** The session is over; `detail` says why in a sentence. */
  onEnded(detail: string, reason?: EndReason): void;
}

const RECONNECT_ATTEMPTS = 3;
const GONE = 'The session no longer exists (it may have expired). Start a new one.';

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class SessionConnection {
  readonly #session: Session & { token: string };
  readonly #terminal: LabTerminal;
  readonly #events: ConnectionEvents;
  readonly #listeners: { dispose(): void }[] = [];
  #socket: TerminalSocket | undefined;
  #ready = false;
  #reconnects = 0;
  #closed = false;

  constructor(session: Session & { token: string }, terminal: LabTerminal, events: ConnectionEvents) {
    this.#session = session;
    this.#terminal = terminal;
    this.#events = events;
    this.#listeners.push(
      terminal.onInput((data) => {
        if (this.#ready) this.#socket?.sendInput(data);
      }),
      terminal.onResize(({ cols, rows }) => this.#socket?.resize(cols, rows)),
    );
    this.#connect();
  }

  /** Closes the socket without ending anything on the server (the caller DELETEs the session). */
  close(code = 1000, reason = 'closed by the page'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close(code, reason);
    this.#socket = undefined;
    for (const listener of this.#listeners.splice(0)) listener.dispose();
  }

  #connect(): void {
    const terminal = this.#terminal;
    const socket = new TerminalSocket(terminalUrl(this.#session.id, this.#session.token), {
      onOutput: (bytes) => terminal.write(bytes, () => socket.acknowledge(bytes.byteLength)),
      onMessage: (message) => this.#onMessage(message),
      onClose: (code, reason) => void this.#onClose(code, reason),
    });
    socket.resize(terminal.cols, terminal.rows);
    this.#socket = socket;
  }

  #end(detail: string, reason?: EndReason): void {
    if (this.#closed) return;
    this.close();
    this.#events.onEnded(detail, reason);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'status':
        if (!this.#ready) this.#events.onProgress('Starting the sandbox…', message.message);
        break;
      case 'ready':
        this.#ready = true;
        this.#reconnects = 0;
        this.#events.onReady();
        break;
      case 'ended':
        this.#end(message.message ? sentence(message.message) : 'The session ended.', message.reason);
        break;
      default:
        console.warn('[drydock] unknown message from the terminal socket:', message);
    }
  }

  /** What to tell the learner when a close code means the session is over; undefined for a mere drop. */
  #finalCloseMessage(code: number, reason: string): string | undefined {
    switch (code) {
      case CLOSE_UNKNOWN_SESSION:
        return GONE;
      case CLOSE_NOT_USABLE:
        return reason ? sentence(reason) : 'The session can no longer be used. Start a new one.';
      case CLOSE_BAD_REQUEST:
        return `The lab server refused the terminal connection${reason ? `: ${reason}` : '.'}`;
      case 1011:
        return 'The lab server hit a fault and closed the terminal. Start a new sandbox.';
      default:
        return undefined;
    }
  }

  async #onClose(code: number, reason: string): Promise<void> {
    if (this.#closed) return;
    this.#socket = undefined;
    this.#ready = false;
    const final = this.#finalCloseMessage(code, reason);
    if (final) {
      this.#end(final, code === 1011 ? 'failed' : undefined);
      return;
    }
    // Dropped (network, server restart, missed pings): reconnect while the session lives.
    if (this.#reconnects >= RECONNECT_ATTEMPTS) {
      this.#end('Lost the connection to the lab server.');
      return;
    }
    this.#reconnects++;
    this.#events.onProgress(
      'Reconnecting…',
      `The terminal connection dropped; trying again (${this.#reconnects} of ${RECONNECT_ATTEMPTS}).`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000 * this.#reconnects));
    if (this.#closed) return;
    try {
      const current = await getSession(this.#session.id, this.#session.token);
      if (this.#closed) return;
      if (current.state === 'starting' || current.state === 'ready') {
        this.#connect();
      } else {
        this.#end(current.message ? sentence(current.message) : `The session has ${current.state}.`);
      }
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof ApiError && error.status === 404) this.#end(GONE);
      else void this.#onClose(1006, '');
    }
  }
}

/**
 * Keeps a terminal attached to a session's WebSocket: output to xterm (acked
 * from xterm's write callback), keystrokes and resizes to the server, and the
 * server's status / ready / ended messages to the page. A dropped connection
 * (network blip, laptop sleep, server restart) is retried with backoff while
 * the session still lives: the server reattaches the same shell and redraws
 * its screen. What each close code means is the protocol's (closeAction in
 * protocol/close-codes.ts): codes that mean "this session is over" end it with
 * a message that says why; a refusal (an origin the server does not accept, a
 * frame it would not take) stops at once and says what must be fixed, since
 * retrying cannot change the answer.
 */
import { ApiError, getSession } from './lab-api.ts';
import type { LabTerminal } from './lab-terminal.ts';
import { TerminalSocket, terminalUrl, type ServerMessage } from './terminal-socket.ts';
import {
  CLOSE_FORBIDDEN_ORIGIN,
  CLOSE_SERVER_FAULT,
  CLOSE_SESSION_ENDED,
  CLOSE_TERMINAL_CLOSED,
  CLOSE_TOO_MANY_TERMINALS,
  CLOSE_UNKNOWN_SESSION,
  closeAction,
} from '../../protocol/close-codes.ts';
import { END_MESSAGES, type EndReason } from '../../protocol/end-reasons.ts';
import type { CreatedSession } from '../../protocol/session.ts';

export interface ConnectionEvents {
  /** Progress while the sandbox starts (or the connection is retried). */
  onProgress(text: string, detail: string): void;
  /** The shell is attached: input now reaches it. */
  onReady(): void;
  /** The session is over; `detail` says why in a sentence. */
  onEnded(detail: string, reason?: EndReason): void;
  /**
   * The server refuses this page's terminal for good (its origin is not accepted):
   * the session lives on, but no retry from this page can reach it. `detail` says
   * what the operator must fix.
   */
  onRefused(detail: string): void;
  /** Who watches this terminal now (read-only, staff); empty once nobody does. */
  onWatched(by: string[]): void;
  /** The learner's class was sent a message (again after a reload, while recent). */
  onBroadcast(from: string, message: string, at: string): void;
  /** A watcher asks to type, types, or stopped (and why). */
  onTakeover(takeover: TakeoverMessage): void;
  /** Output bytes as they arrive, before the terminal shows them (the error spotter reads them). */
  onOutput?(bytes: Uint8Array): void;
  /** Tasks a live check judged (live-verdicts.ts). */
  onLiveCheck?(results: LiveCheckMessage['results']): void;
  /** This terminal was closed (from this page or another; 4411): the session lives on. */
  onTerminalClosed?(): void;
}

export type LiveCheckMessage = Extract<ServerMessage, { type: 'live-check' }>;

export type TakeoverMessage = Extract<ServerMessage, { type: 'takeover' }>;

/** Waits between reconnection attempts (the last one repeats) and how long to keep trying. */
const BACKOFF_MS = [250, 1000, 2000, 4000, 8000, 10_000];
const GIVE_UP_AFTER_MS = 5 * 60_000;
const GONE = 'The session no longer exists (it may have expired). Start a new one.';

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class SessionConnection {
  readonly #session: CreatedSession;
  readonly #terminal: LabTerminal;
  readonly #events: ConnectionEvents;
  readonly #listeners: { dispose(): void }[] = [];
  #socket: TerminalSocket | undefined;
  #ready = false;
  #reconnects = 0;
  #droppedAt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #closed = false;
  /** Which of the session's terminals (protocol/terminals.ts). */
  readonly #number: number;

  constructor(
    session: CreatedSession,
    terminal: LabTerminal,
    events: ConnectionEvents,
    number = 1,
  ) {
    this.#number = number;
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
    clearTimeout(this.#retry);
    this.#wake?.();
    this.#socket?.close(code, reason);
    this.#socket = undefined;
    for (const listener of this.#listeners.splice(0)) listener.dispose();
  }

  /**
   * Types `text` into the shell as if the learner had (a Run button); false when
   * no shell is attached to take it.
   */
  send(text: string): boolean {
    if (!this.#ready || !this.#socket) return false;
    this.#socket.sendInput(text);
    return true;
  }

  /** The learner's answer to a watcher asking to type. */
  answerTakeover(accept: boolean): void {
    this.#socket?.sendControl({ type: 'takeover-answer', accept });
  }

  /** The learner takes control back from a watcher typing in their terminal. */
  stopTakeover(): void {
    this.#socket?.sendControl({ type: 'takeover-stop' });
  }

  /** Retries at once if waiting to reconnect (the page came back, the network is back). */
  reconnectNow(): void {
    this.#wake?.();
  }

  #connect(): void {
    const terminal = this.#terminal;
    const url = terminalUrl(
      this.#session.id,
      this.#session.token,
      location,
      terminal,
      this.#number,
    );
    const socket = new TerminalSocket(url, {
      onOutput: (bytes) => {
        this.#events.onOutput?.(bytes);
        terminal.write(bytes, () => socket.acknowledge(bytes.byteLength));
      },
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
        this.#droppedAt = 0;
        this.#events.onReady();
        break;
      case 'ended':
        this.#end(
          message.message ? sentence(message.message) : END_MESSAGES[message.reason],
          message.reason,
        );
        break;
      case 'watched':
        this.#events.onWatched(message.by);
        break;
      case 'broadcast':
        this.#events.onBroadcast(message.from, message.message, message.at);
        break;
      case 'takeover':
        this.#events.onTakeover(message);
        break;
      case 'live-check':
        this.#events.onLiveCheck?.(message.results);
        break;
      default:
        console.warn('[drydock] unknown message from the terminal socket:', message);
    }
  }

  /** Why the session is over, for a close code whose action is `end`. */
  #endMessage(code: number, reason: string): string {
    switch (code) {
      case CLOSE_UNKNOWN_SESSION:
        return GONE;
      case CLOSE_SESSION_ENDED:
        return reason ? sentence(reason) : 'The session can no longer be used. Start a new one.';
      case CLOSE_TOO_MANY_TERMINALS:
        return reason
          ? `${sentence(reason)} (Another tab may have this lab open.)`
          : 'This session has too many terminals open.';
      case CLOSE_SERVER_FAULT:
        return 'The lab server hit a fault and closed the terminal. Start a new sandbox.';
      default:
        return reason ? sentence(reason) : `The lab server closed the terminal (code ${code}).`;
    }
  }

  /** What must be fixed, for a close code whose action is `refuse`. */
  #refusalMessage(code: number, reason: string): string {
    if (code === CLOSE_FORBIDDEN_ORIGIN)
      return (
        `The lab server does not accept terminals from this page’s address (${location.origin}). ` +
        'Whoever runs this server must set DRYDOCK_PUBLIC_URL to the address learners open, ' +
        'or make the reverse proxy pass on the Host header (see docs/reverse-proxy.md).'
      );
    // The page broke the protocol: a bug of this page, or a site and a server of different versions.
    return (
      `The lab server closed the terminal because this page sent something it refuses (code ${code}${reason ? `: ${reason}` : ''}). ` +
      'Your sandbox keeps running: reload the page to reconnect to it.'
    );
  }

  async #onClose(code: number, reason: string): Promise<void> {
    if (this.#closed) return;
    this.#socket = undefined;
    this.#ready = false;
    const action = closeAction(code);
    if (action === 'refuse') {
      this.close();
      this.#events.onRefused(this.#refusalMessage(code, reason));
      return;
    }
    if (code === CLOSE_TERMINAL_CLOSED && this.#events.onTerminalClosed) {
      this.close();
      this.#events.onTerminalClosed();
      return;
    }
    if (action === 'end') {
      this.#end(this.#endMessage(code, reason), code === CLOSE_SERVER_FAULT ? 'failed' : undefined);
      return;
    }
    // Dropped (network, sleep, server restart, missed pings): reconnect while the session lives.
    this.#droppedAt ||= Date.now();
    if (Date.now() - this.#droppedAt > GIVE_UP_AFTER_MS) {
      this.#end('Lost the connection to the lab server. Reload the page to try again.');
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.#reconnects, BACKOFF_MS.length - 1)]!;
    this.#reconnects++;
    this.#events.onProgress(
      'Reconnecting…',
      `The terminal connection dropped; reconnecting (attempt ${this.#reconnects}). Your shell keeps running.`,
    );
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#retry = setTimeout(resolve, delay);
    });
    this.#wake = undefined;
    if (this.#closed) return;
    try {
      const current = await getSession(this.#session.id, this.#session.token);
      if (this.#closed) return;
      if (current.state === 'starting' || current.state === 'ready') {
        this.#connect();
      } else {
        this.#end(
          current.message ? sentence(current.message) : `The session has ${current.state}.`,
          current.endReason,
        );
      }
    } catch (error) {
      if (this.#closed) return;
      if (error instanceof ApiError && error.status === 404) this.#end(GONE);
      else void this.#onClose(1006, '');
    }
  }
}

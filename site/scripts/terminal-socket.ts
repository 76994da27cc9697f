/**
 * The terminal WebSocket of a session (docs/api.md): binary frames carry bytes
 * both ways, JSON text frames carry resize, ack, status, ready and ended
 * (protocol/terminal-messages.ts).
 *
 * Flow control (protocol/flow-control.ts): the server stops reading from the
 * shell while too much output is unacknowledged. The caller reports rendered
 * bytes with `acknowledge()` (from xterm's write callback); acks are batched,
 * so a flood costs a handful of small frames. Input longer than the server
 * takes in one frame (a big paste) goes in several.
 */
import { ACK_BATCH_BYTES, ACK_IDLE_MS, MAX_FRAME_BYTES } from '../../protocol/flow-control.ts';
import { parseText } from '../../protocol/parse.ts';
import {
  ServerMessageSchema,
  type ClientMessage,
  type ServerMessage,
} from '../../protocol/terminal-messages.ts';

export type { ServerMessage };

export interface TerminalSocketHandlers {
  onOutput(bytes: Uint8Array): void;
  onMessage(message: ServerMessage): void;
  /** The socket closed, for whatever reason; `code`/`reason` are the close frame's. */
  onClose(code: number, reason: string): void;
}

/**
 * `ws://` or `wss://` on this page's origin, matching how the page itself was loaded.
 * With `size`, the shell's screen is restored at the terminal's own size; `terminal`
 * is which of the session's terminals (protocol/terminals.ts), the first if not given.
 */
export function terminalUrl(
  sessionId: string,
  token: string,
  where: Location = location,
  size?: { cols: number; rows: number },
  terminal = 1,
): string {
  const scheme = where.protocol === 'https:' ? 'wss:' : 'ws:';
  const query =
    (size ? `&cols=${size.cols}&rows=${size.rows}` : '') +
    (terminal === 1 ? '' : `&terminal=${terminal}`);
  return `${scheme}//${where.host}/api/sessions/${encodeURIComponent(sessionId)}/terminal?token=${encodeURIComponent(token)}${query}`;
}

/** `bytes` in frames of at most MAX_FRAME_BYTES: a larger one would close the socket with 1009. */
export function inputFrames(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>[] {
  if (bytes.byteLength <= MAX_FRAME_BYTES) return [bytes];
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < bytes.byteLength; at += MAX_FRAME_BYTES)
    frames.push(bytes.subarray(at, at + MAX_FRAME_BYTES));
  return frames;
}

export class TerminalSocket {
  readonly #ws: WebSocket;
  readonly #handlers: TerminalSocketHandlers;
  readonly #encoder = new TextEncoder();
  #unacked = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #size: { cols: number; rows: number } | undefined;
  #closed = false;

  constructor(url: string, handlers: TerminalSocketHandlers) {
    this.#handlers = handlers;
    this.#ws = new WebSocket(url);
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.addEventListener('open', this.#onOpen);
    this.#ws.addEventListener('message', this.#onMessage);
    this.#ws.addEventListener('close', this.#onClose);
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Keystrokes or pasted text, sent as UTF-8 bytes in binary frames the server accepts. */
  sendInput(data: string | Uint8Array<ArrayBuffer>): void {
    if (!this.open) return;
    for (const frame of inputFrames(typeof data === 'string' ? this.#encoder.encode(data) : data))
      this.#ws.send(frame);
  }

  /** Remembers the size and tells the server; sent again on open if the socket was still connecting. */
  resize(cols: number, rows: number): void {
    if (this.#size?.cols === cols && this.#size.rows === rows) return;
    this.#size = { cols, rows };
    this.#sendJson({ type: 'resize', cols, rows });
  }

  /** A control message other than sizes and acks (a take-over's request or answer). */
  sendControl(message: ClientMessage): void {
    this.#sendJson(message);
  }

  /** Reports `bytes` more output as rendered. */
  acknowledge(bytes: number): void {
    this.#unacked += bytes;
    if (this.#unacked >= ACK_BATCH_BYTES) {
      this.#flushAcks();
    } else if (this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(this.#flushAcks, ACK_IDLE_MS);
    }
  }

  /** Browsers only let a page send 1000 or 3000-4999. */
  close(code = 1000, reason = 'closed by the page'): void {
    this.#dispose();
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) {
      this.#ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
    }
  }

  #sendJson(message: ClientMessage): void {
    if (this.open) this.#ws.send(JSON.stringify(message));
  }

  #flushAcks = (): void => {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#unacked === 0 || !this.open) return;
    this.#sendJson({ type: 'ack', bytes: this.#unacked });
    this.#unacked = 0;
  };

  #onOpen = (): void => {
    if (this.#size) this.#sendJson({ type: 'resize', ...this.#size });
  };

  #onMessage = (event: MessageEvent<ArrayBuffer | string>): void => {
    if (this.#closed) return;
    if (typeof event.data !== 'string') {
      this.#handlers.onOutput(new Uint8Array(event.data));
      return;
    }
    const parsed = parseText(ServerMessageSchema, event.data);
    if (!parsed.ok) {
      // A 4410 close follows an `ended` this page cannot read, so the session still ends.
      console.error(
        `[drydock] ignoring a terminal message off the protocol (${parsed.why}):`,
        event.data,
      );
      return;
    }
    this.#handlers.onMessage(parsed.value);
  };

  #onClose = (event: CloseEvent): void => {
    if (this.#closed) return;
    this.#dispose();
    this.#handlers.onClose(event.code, event.reason);
  };

  #dispose(): void {
    this.#closed = true;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#ws.removeEventListener('open', this.#onOpen);
    this.#ws.removeEventListener('message', this.#onMessage);
    this.#ws.removeEventListener('close', this.#onClose);
  }
}

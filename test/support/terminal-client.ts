/** A WebSocket terminal client speaking the browser's protocol (docs/api.md), for engine tests. */
import { stripVTControlCharacters } from 'node:util';
import WebSocket from 'ws';

export class TerminalClient {
  readonly ws: WebSocket;
  output = '';
  received = 0;
  autoAck = true;
  readonly control: { type: string; [key: string]: unknown }[] = [];
  closeCode: number | undefined;
  closeReason = '';
  /** By message type: the output that had arrived when the first of them came (the text, as `text` reads it). */
  readonly textAt = new Map<string, string>();

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.output += data.toString('utf8');
        this.received += data.length;
        if (this.autoAck) this.ws.send(JSON.stringify({ type: 'ack', bytes: data.length }));
      } else {
        const message = JSON.parse(data.toString('utf8')) as { type: string };
        if (!this.textAt.has(message.type)) this.textAt.set(message.type, this.text);
        this.control.push(message);
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static open(
    baseUrl: string,
    sessionId: string,
    token: string,
    headers: Record<string, string> = {},
  ): TerminalClient {
    return new TerminalClient(
      `${baseUrl.replace(/^http/, 'ws')}/api/sessions/${sessionId}/terminal?token=${encodeURIComponent(token)}`,
      headers,
    );
  }

  /** Calls `listener` with each output frame, after it was appended to `output`; returns what stops it. */
  onOutput(listener: (chunk: string) => void): () => void {
    // The constructor's listener, registered first, has appended the frame when this one runs.
    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (isBinary) listener(data.toString('utf8'));
    };
    this.ws.on('message', onMessage);
    return () => this.ws.off('message', onMessage);
  }

  type(text: string): void {
    this.ws.send(Buffer.from(text, 'utf8'));
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; terminal output so far:\n${this.text.slice(-1500)}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The output as a person reads it: colours, cursor controls and carriage returns removed. */
  get text(): string {
    return stripVTControlCharacters(this.output).replaceAll('\r', '');
  }

  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => pattern.test(this.text), `output matching ${pattern}`, timeoutMs);
  }

  waitForControl(type: string, timeoutMs?: number): Promise<void> {
    return this.waitFor(
      () => this.control.some((m) => m.type === type),
      `a "${type}" message`,
      timeoutMs,
    );
  }

  waitForClose(timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.closeCode !== undefined, 'the socket to close', timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}

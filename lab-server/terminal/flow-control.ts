/**
 * Output batching and acknowledgement-based back-pressure between a TTY stream
 * and a WebSocket. The browser acknowledges bytes once xterm.js has rendered
 * them; above the high watermark we stop reading from the shell, so a flood
 * (`yes`, `cat` of a huge file) blocks in the sandbox instead of piling up in
 * the server's memory or the browser's.
 */
import type { Duplex } from 'node:stream';

export const HIGH_WATERMARK = 256 * 1024;
export const LOW_WATERMARK = 64 * 1024;
const BATCH_BYTES = 32 * 1024;
const BATCH_DELAY_MS = 4;

export class FlowControl {
  private readonly source: Duplex;
  private readonly send: (chunk: Buffer) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes sent and not yet acknowledged by the client. */
  unacked = 0;
  paused = false;

  constructor(source: Duplex, send: (chunk: Buffer) => void) {
    this.source = source;
    this.send = send;
    source.on('data', this.onData);
  }

  private readonly onData = (chunk: Buffer) => {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_DELAY_MS);
  };

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBytes === 0) return;
    const batch = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.unacked += batch.length;
    this.send(batch);
    if (this.unacked > HIGH_WATERMARK && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
  }

  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.paused && this.unacked < LOW_WATERMARK) {
      this.paused = false;
      this.source.resume();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.source.off('data', this.onData);
  }
}

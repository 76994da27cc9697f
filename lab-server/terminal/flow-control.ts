/**
 * Output batching and acknowledgement-based back-pressure between a TTY stream
 * and a WebSocket. The browser acknowledges bytes once xterm.js has rendered
 * them; above the high watermark we stop reading from the shell, so a flood
 * (`yes`, `cat` of a huge file) blocks in the sandbox instead of piling up in
 * the server's memory or the browser's. The watermarks are the protocol's
 * (protocol/flow-control.ts); the batching is the server's own business.
 *
 * Batching must not cost latency: what the shell wrote while the event loop
 * was busy goes out as one frame as soon as it is free (setImmediate), so an
 * echo or a prompt is never held back, and a flood (many tmux %output lines per
 * read) still costs one frame per read or per BATCH_BYTES.
 */
import type { Duplex } from 'node:stream';
import { HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES } from '../../protocol/flow-control.ts';

const BATCH_BYTES = 32 * 1024;

export class FlowControl {
  private readonly source: Duplex;
  private readonly send: (chunk: Buffer) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private immediate: NodeJS.Immediate | undefined;
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
    if (this.pendingBytes >= BATCH_BYTES) this.sendPending();
    else this.immediate ??= setImmediate(this.flush);
  };

  /** Sends `chunk` now, ahead of what the source gives later (a restored screen). */
  sendNow(chunk: Buffer): void {
    this.onData(chunk);
    this.flush();
  }

  /** Sends what is pending now (the shell exited, say). */
  readonly flush = (): void => {
    clearImmediate(this.immediate);
    this.immediate = undefined;
    this.sendPending();
  };

  private sendPending(): void {
    if (this.pendingBytes === 0) return;
    const batch = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.unacked += batch.length;
    this.send(batch);
    if (this.unacked > HIGH_WATERMARK_BYTES && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
  }

  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    if (this.paused && this.unacked < LOW_WATERMARK_BYTES) {
      this.paused = false;
      this.source.resume();
    }
  }

  dispose(): void {
    clearImmediate(this.immediate);
    this.source.off('data', this.onData);
  }
}

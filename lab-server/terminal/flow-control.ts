/**
 * Output batching and acknowledgement-based back-pressure between a TTY stream
 * and a WebSocket. The browser acknowledges bytes once xterm.js has rendered
 * them; above the high watermark we stop reading from the shell, so a flood
 * (`yes`, `cat` of a huge file) blocks in the sandbox instead of piling up in
 * the server's memory or the browser's. The watermarks are the protocol's
 * (protocol/flow-control.ts); the batching is the server's own business.
 *
 * Batching costs latency, so it only starts once output keeps coming: the first
 * chunk after a quiet spell (a keystroke's echo, a prompt) is sent at once and
 * opens a window of BATCH_DELAY_MS; what arrives within it goes out as one frame
 * when it closes, and a window that closes with output re-opens, so a flood
 * still costs one frame per BATCH_BYTES or BATCH_DELAY_MS.
 */
import type { Duplex } from 'node:stream';
import { HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES } from '../../protocol/flow-control.ts';

const BATCH_BYTES = 32 * 1024;
const BATCH_DELAY_MS = 4;

export class FlowControl {
  private readonly source: Duplex;
  private readonly send: (chunk: Buffer) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The batching window; unset while the shell is quiet. */
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
    if (this.timer === undefined) {
      this.sendPending();
      this.timer = setTimeout(this.windowClosed, BATCH_DELAY_MS);
    } else if (this.pendingBytes >= BATCH_BYTES) this.sendPending();
  };

  private readonly windowClosed = () => {
    this.timer = undefined;
    if (this.pendingBytes === 0) return;
    this.sendPending();
    this.timer = setTimeout(this.windowClosed, BATCH_DELAY_MS);
  };

  /** Sends what is pending now (the shell exited, say) and closes the window. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sendPending();
  }

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
    clearTimeout(this.timer);
    this.source.off('data', this.onData);
  }
}

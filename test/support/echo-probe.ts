/**
 * Measures how promptly a terminal echoes keystrokes: a neighbour's view of
 * an attack. Every ~100 ms it types one character, times the echo, then erases
 * it again (so the line never grows).
 */

/** A terminal to probe: the WebSocket client (terminal-client.ts), or a raw pty in the benchmark. */
export interface EchoTarget {
  /** Everything received so far, as text. */
  readonly output: string;
  type(text: string): void;
  /** Calls `listener` with each chunk of output, after it was appended to `output`; returns what stops it. */
  onOutput(listener: (chunk: string) => void): () => void;
}

export interface EchoStats {
  count: number;
  /** Echoes slower than the bound (or that never came within 30 s). */
  lost: number;
  /** How late each lost echo came, in ms (Infinity if never). */
  late: number[];
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** The p-th percentile of values in any order. */
export const quantile = (values: readonly number[], p: number): number =>
  percentile(
    [...values].sort((x, y) => x - y),
    p,
  );

export function summarize(samples: number[], late: number[] = []): EchoStats {
  const sorted = [...samples, ...late].sort((a, b) => a - b);
  return {
    count: sorted.length,
    lost: late.length,
    late,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

export const formatStats = (s: EchoStats) =>
  `${s.count} echoes, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, lost ${s.lost}${s.lost ? ` (came after ${s.late.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')})` : ''}`;

export class EchoProbe {
  private readonly terminal: EchoTarget;
  private readonly lostAfterMs: number;
  private samples: number[] = [];
  private late: number[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(terminal: EchoTarget, options: { lostAfterMs?: number } = {}) {
    this.terminal = terminal;
    this.lostAfterMs = options.lostAfterMs ?? 5000;
  }

  /** Resolves with the time until `text` comes back after `from` (Infinity if not within 30 s). */
  private waitEcho(text: string, from: number): Promise<number> {
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (value: number) => {
        clearTimeout(timer);
        stop();
        resolve(value);
      };
      const stop = this.terminal.onOutput(() => {
        if (this.terminal.output.indexOf(text, from) >= 0) done(performance.now() - started);
      });
      const timer = setTimeout(() => done(Infinity), 30_000);
      this.terminal.type(text);
    });
  }

  /** One keystroke's round trip in ms (Infinity if it never came). */
  async once(): Promise<number> {
    const from = this.terminal.output.length;
    const ms = await this.waitEcho('x', from);
    if (ms > this.lostAfterMs) this.late.push(ms);
    else this.samples.push(ms);
    // Erase it and wait for the redraw, so the next probe starts on a clean line.
    const before = this.terminal.output.length;
    this.terminal.type('\x7f');
    const deadline = Date.now() + this.lostAfterMs;
    while (this.terminal.output.length === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    return ms;
  }

  start(intervalMs = 100): void {
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        const started = Date.now();
        await this.once();
        const rest = intervalMs - (Date.now() - started);
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      }
    })();
  }

  /** Stops probing and returns the figures since the last reset. */
  async stop(): Promise<EchoStats> {
    this.stopping = true;
    await this.running;
    const stats = summarize(this.samples, this.late);
    this.samples = [];
    this.late = [];
    return stats;
  }

  /** Measures while `attack` runs. */
  async during<T>(attack: () => Promise<T>): Promise<{ result: T; stats: EchoStats }> {
    this.start();
    try {
      const result = await attack();
      return { result, stats: await this.stop() };
    } finally {
      this.stopping = true;
      await this.running;
    }
  }
}

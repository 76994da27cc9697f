/**
 * When one session's tasks are re-checked on their own: after its engine
 * reports a change (debounced, as a `docker compose up` reports dozens) while
 * the learner is at work, and after the learner ran a command in the terminal
 * and its output has then been quiet for a moment. A change in a sandbox nobody
 * has typed in for a while is not the learner's: a lab that teaches a crash
 * loop restarts a container every minute all day, and re-checking each restart
 * in every idle sandbox of a class cost more CPU than the sandboxes themselves.
 * Runs are coalesced: at most one runs, and one more is queued behind it
 * however many triggers come meanwhile; a run waits while the session's budget
 * (live-check-budget.ts) is spent.
 */
import type { LiveCheckBudget } from './live-check-budget.ts';

export interface TriggerTimings {
  /** Engine events this close together count as one change. */
  engineDebounceMs: number;
  /** However busy the engine stays, a change is acted on this long after the first event. */
  engineMaxWaitMs: number;
  /** Terminal output quiet this long after the learner pressed Enter. */
  quietMs: number;
  /** Engine changes count this long after the learner's last keystroke (a long build's end included). */
  engineAttentionMs: number;
}

export const DEFAULT_TIMINGS: TriggerTimings = {
  engineDebounceMs: 500,
  engineMaxWaitMs: 3000,
  quietMs: 1500,
  engineAttentionMs: 300_000,
};

export type TriggerCause = 'engine' | 'terminal';

export interface TriggerOptions {
  budget: LiveCheckBudget;
  timings?: TriggerTimings;
  /** One run of the session's live checks; resolves with the time the checks themselves took. */
  run(cause: TriggerCause): Promise<number>;
  /** Whether engine events are the checks' own now (a check of this session is running). */
  ownEvents(): boolean;
  /** A run waits `ms` for the budget (Infinity: live checks are off). */
  onBudgetWait?(ms: number): void;
}

/** Enter (CR or LF) or Ctrl-D: the learner ran something, or ended a program's input. */
const RUNS_SOMETHING = ['\r', '\n', '\u0004'];

export class LiveCheckTrigger {
  private readonly options: TriggerOptions;
  private readonly timings: TriggerTimings;
  private state: 'idle' | 'waiting' | 'running' = 'idle';
  private queued: TriggerCause | undefined;
  private engineTimer: NodeJS.Timeout | undefined;
  private engineSince = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private budgetTimer: NodeJS.Timeout | undefined;
  private armed = false;
  /** When the armed terminal last showed activity, and when the latest run started. */
  private lastActivity = 0;
  private lastRunStart = -1;
  /** When the learner last typed anything; engine changes before the first keystroke are setup's or a loop's. */
  private lastTyped = -Infinity;
  private closed = false;
  /** Settles when the current run (if any) is over; for tests and shutdown. */
  idle: Promise<void> = Promise.resolve();

  constructor(options: TriggerOptions) {
    this.options = options;
    this.timings = options.timings ?? DEFAULT_TIMINGS;
  }

  /** The session's engine reported a change. */
  engineChanged(): void {
    if (this.closed || this.options.ownEvents()) return;
    const now = Date.now();
    if (now - this.lastTyped > this.timings.engineAttentionMs) return;
    if (this.engineTimer === undefined) this.engineSince = now;
    clearTimeout(this.engineTimer);
    const wait = Math.min(
      this.timings.engineDebounceMs,
      Math.max(0, this.engineSince + this.timings.engineMaxWaitMs - now),
    );
    this.engineTimer = setTimeout(() => {
      this.engineTimer = undefined;
      this.request('engine');
    }, wait);
  }

  /** Keystrokes reached the shell; a command run (Enter) arms the quiet trigger. */
  typed(data: Buffer | string): void {
    if (this.closed) return;
    this.lastTyped = Date.now();
    const text = typeof data === 'string' ? data : data.toString('latin1');
    if (RUNS_SOMETHING.some((key) => text.includes(key))) this.armed = true;
    this.restartQuiet();
  }

  /** The shell wrote something. */
  output(): void {
    if (this.closed || !this.armed) return;
    this.restartQuiet();
  }

  private restartQuiet(): void {
    if (!this.armed) return;
    this.lastActivity = Date.now();
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      this.armed = false;
      // A run that started since the terminal went quiet (the engine's changes
      // triggered it) already saw what the command did.
      if (this.lastRunStart >= this.lastActivity) return;
      this.request('terminal');
    }, this.timings.quietMs);
  }

  /** A run is wanted: started now, merged into one waiting for the budget, or queued behind the one running. */
  request(cause: TriggerCause): void {
    if (this.closed) return;
    if (this.state === 'running') this.queued ??= cause;
    else if (this.state === 'idle') this.start(cause);
  }

  private start(cause: TriggerCause): void {
    const wait = this.options.budget.waitMs(Date.now());
    if (wait > 0) {
      this.state = 'waiting';
      this.options.onBudgetWait?.(wait);
      if (wait === Infinity) return void (this.state = 'idle');
      this.budgetTimer = setTimeout(() => {
        this.budgetTimer = undefined;
        this.state = 'idle';
        this.request(cause);
      }, wait);
      return;
    }
    this.state = 'running';
    this.lastRunStart = Date.now();
    this.idle = this.options
      .run(cause)
      .catch(() => 0)
      .then((ms) => {
        this.options.budget.spend(Date.now(), ms);
        this.state = 'idle';
        const next = this.queued;
        this.queued = undefined;
        if (next) this.request(next);
      });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.engineTimer);
    clearTimeout(this.quietTimer);
    clearTimeout(this.budgetTimer);
  }
}

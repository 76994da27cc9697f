/**
 * One session's allowance of live-check time: the runs' durations over a
 * sliding window may add up to at most a share of it (DRYDOCK_LIVE_CHECK_BUDGET,
 * e.g. 10% of a minute: 6 s). A run is let through while the window has time
 * left; once it is spent, the next run waits until enough of the window has
 * slid past. Pure (the clock is given), so tests can move time.
 */

export interface BudgetSettings {
  /** Share of wall time live checks may take, 0 to 1 (0: never). */
  share: number;
  /** The window the share is measured over, in ms. */
  windowMs: number;
}

export class LiveCheckBudget {
  private readonly settings: BudgetSettings;
  /** Runs in the window: when each ended and how long it took. */
  private runs: { endedAt: number; ms: number }[] = [];

  constructor(settings: BudgetSettings) {
    this.settings = settings;
  }

  /** Milliseconds of live checks the window allows. */
  get allowanceMs(): number {
    return this.settings.share * this.settings.windowMs;
  }

  /** Time live checks took within the window ending `now`. */
  usedMs(now: number): number {
    this.forget(now);
    let used = 0;
    for (const run of this.runs) {
      // A run that began before the window counts only with its part inside it.
      const start = run.endedAt - run.ms;
      used += run.endedAt - Math.max(start, now - this.settings.windowMs);
    }
    return used;
  }

  /**
   * How long until a run may start: 0 while the window has time left, else when
   * enough of it has slid past (Infinity with a share of 0).
   */
  waitMs(now: number): number {
    if (this.allowanceMs <= 0) return Infinity;
    let over = this.usedMs(now) - this.allowanceMs;
    if (over < 0) return 0;
    // Slide the window forward over the oldest runs until less than the allowance is left.
    const windowStart = now - this.settings.windowMs;
    for (const run of this.runs) {
      const start = Math.max(run.endedAt - run.ms, windowStart);
      const inWindow = run.endedAt - start;
      if (inWindow > over) return Math.ceil(start + over + 1 - windowStart);
      over -= inWindow;
    }
    /* c8 ignore next */
    return 1;
  }

  /** A run ended at `now` after `ms`. */
  spend(now: number, ms: number): void {
    this.runs.push({ endedAt: now, ms: Math.max(0, ms) });
    this.forget(now);
  }

  private forget(now: number): void {
    const windowStart = now - this.settings.windowMs;
    this.runs = this.runs.filter((run) => run.endedAt > windowStart);
  }
}

/**
 * The machine-wide cap on live-check runs at once (DRYDOCK_LIVE_CHECK_CONCURRENCY):
 * a class of 30 whose engines all change in the same second runs a few at a
 * time, first come first served, and the lab server and the learners' shells
 * keep the rest of the machine. Explicit Checks never wait here.
 */
export class LiveCheckSlots {
  private readonly max: number;
  private busy = 0;
  private readonly line: (() => void)[] = [];

  constructor(max: number) {
    this.max = Math.max(1, max);
  }

  /** Runs going on now. */
  get running(): number {
    return this.busy;
  }

  /** Runs waiting for a slot. */
  get waiting(): number {
    return this.line.length;
  }

  /** Resolves with the slot's release (call it once) when a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.busy >= this.max) await new Promise<void>((resolve) => this.line.push(resolve));
    else this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next in line: `busy` stays the same.
      const next = this.line.shift();
      if (next) next();
      else this.busy--;
    };
  }
}

/**
 * Cold setups run a few at a time (DRYDOCK_SETUP_CONCURRENCY, by default one per
 * core); a burst of Starts waits in order instead of thrashing the CPU, where
 * every learner's setup would crawl and the last would finish no sooner. Each
 * waiting learner is told their place as the line moves.
 */

/** Told how many setups are ahead in line (0: next). */
export type Place = (ahead: number) => void;

interface Waiting {
  place: Place;
  abandoned: () => boolean;
  go: () => void;
}

export class SetupQueue {
  private readonly slots: number;
  private running = 0;
  private waiting: Waiting[] = [];

  constructor(slots: number) {
    this.slots = Math.max(1, slots);
  }

  /** How many setups wait for a slot. */
  get length(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free; until then `place` is
   * told the caller's place, again each time the line moves. A caller for whom
   * `abandoned()` turns true (its session ended) leaves the line.
   */
  enter(place: Place, abandoned: () => boolean): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.running--;
      this.next();
    };
    if (this.running < this.slots && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      this.waiting.push({
        place,
        abandoned,
        go: () => {
          this.running++;
          resolve(release);
        },
      });
      place(this.waiting.length - 1);
    });
  }

  private next(): void {
    this.waiting = this.waiting.filter((entry) => !entry.abandoned());
    while (this.running < this.slots && this.waiting.length > 0) this.waiting.shift()!.go();
    this.waiting.forEach((entry, ahead) => entry.place(ahead));
  }
}

/**
 * Warm sandboxes for classes, through the warm pool's reservations (a size
 * wanted by a time, per lab). A class reserves its first lab to its expected
 * size by its opening time: learners start there together, while later labs
 * are started at different moments and the pool's demand sizing follows them.
 * The pool keeps one reservation per lab, so the classes sharing a first lab
 * and not yet past their grace are added up, ready by the earliest opening;
 * whatever a reservation asks, the pools together stay under DRYDOCK_WARM_MAX.
 *
 * A class stops reserving a grace after it opens (DRYDOCK_CLASS_WARM_GRACE):
 * whoever came has claimed their sandbox by then, and the pool gives the
 * unclaimed ones back (sessions/warm-pool.ts) instead of keeping them set up
 * for nobody until the class closes.
 */
import type { ClassRecord } from '../store/class-store.ts';

export interface Reservation {
  size: number;
  readyBy: Date;
}

/** When reservations end: a grace after each class's opening. */
export interface GraceClock {
  now: number;
  graceMs: number;
}

/**
 * What each lab's pool should hold for these classes (the current ones: not ended
 * nor closed). A class past its opening plus the grace asks nothing any more. A lab
 * this server does not have (removed since, or a class made by another server on a
 * shared database) is left out, and so is every lab when the cap is 0 (warm pools off).
 */
export function reservationsFor(
  classes: ClassRecord[],
  cap: number,
  knownLab: (slug: string) => boolean = () => true,
  clock?: GraceClock,
): Map<string, Reservation> {
  const wanted = new Map<string, Reservation>();
  if (cap <= 0) return wanted;
  for (const record of classes) {
    const lab = record.labs[0];
    if (lab === undefined || !knownLab(lab)) continue;
    if (clock && clock.now >= record.opensAt + clock.graceMs) continue;
    const seen = wanted.get(lab);
    const readyBy = new Date(record.opensAt);
    wanted.set(lab, {
      size: Math.min(cap, (seen?.size ?? 0) + record.expectedSize),
      readyBy: seen && seen.readyBy < readyBy ? seen.readyBy : readyBy,
    });
  }
  return wanted;
}

/** The warm pool's reservation call (sessions/warm-pool.ts); size 0 cancels. */
export type Reserve = (lab: string, size: number, readyBy: Date) => void;

/** How often the classes' graces are looked at: a reservation ends at most this late. */
const TICK_MS = 2000;

export interface ClassWarmingOptions {
  reserve: Reserve;
  /** DRYDOCK_WARM_MAX (and never more than DRYDOCK_MAX_SANDBOXES). */
  cap: number;
  knownLab?: (slug: string) => boolean;
  /** DRYDOCK_CLASS_WARM_GRACE */
  graceMs: number;
  now?: () => number;
  tickMs?: number;
}

/**
 * Keeps the pool's reservations in step with the classes: after a class is
 * created or ended, at start (reservations live in memory, classes in the
 * store), and as each class's grace runs out. Labs no class wants any more
 * have their reservation cancelled; a reservation that did not change is not
 * made again (the pool keeps count of what was claimed against it).
 */
export class ClassWarming {
  private readonly options: ClassWarmingOptions;
  private readonly now: () => number;
  private current: ClassRecord[] = [];
  private reserved = new Map<string, Reservation>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ClassWarmingOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Takes the current classes and reserves what they want now; looks again as graces run out. */
  sync(current: ClassRecord[]): Map<string, Reservation> {
    this.current = current;
    const wanted = this.apply();
    if (wanted.size > 0 && !this.timer) {
      this.timer = setInterval(() => this.apply(), this.options.tickMs ?? TICK_MS);
      this.timer.unref();
    }
    return wanted;
  }

  private apply(): Map<string, Reservation> {
    const { reserve, cap, knownLab, graceMs } = this.options;
    const wanted = reservationsFor(this.current, cap, knownLab, { now: this.now(), graceMs });
    for (const lab of this.reserved.keys()) if (!wanted.has(lab)) reserve(lab, 0, new Date());
    for (const [lab, want] of wanted) {
      const had = this.reserved.get(lab);
      if (had?.size !== want.size || had.readyBy.getTime() !== want.readyBy.getTime())
        reserve(lab, want.size, want.readyBy);
    }
    this.reserved = wanted;
    // Nothing left to run out: the next create or end syncs again.
    if (wanted.size === 0) this.stop();
    return wanted;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

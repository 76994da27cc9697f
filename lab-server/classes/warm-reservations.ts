/**
 * Warm sandboxes for classes, through the warm pool's reservations (a size
 * wanted by a time, per lab). A class reserves its first lab to its expected
 * size by its opening time: learners start there together, while later labs
 * are started at different moments and the pool's demand sizing follows them.
 * The pool keeps one reservation per lab, so the classes sharing a first lab
 * and not yet over are added up, ready by the earliest opening; whatever a
 * reservation asks, the pools together stay under DRYDOCK_WARM_MAX.
 */
import type { ClassRecord } from '../store/class-store.ts';

export interface Reservation {
  size: number;
  readyBy: Date;
}

/**
 * What each lab's pool should hold for these classes (the current ones: not ended
 * nor closed). A lab this server does not have (removed since, or a class made by
 * another server on a shared database) is left out, and so is every lab when the
 * cap is 0 (warm pools off).
 */
export function reservationsFor(
  classes: ClassRecord[],
  cap: number,
  knownLab: (slug: string) => boolean = () => true,
): Map<string, Reservation> {
  const wanted = new Map<string, Reservation>();
  if (cap <= 0) return wanted;
  for (const record of classes) {
    const lab = record.labs[0];
    if (lab === undefined || !knownLab(lab)) continue;
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

/**
 * Keeps the pool's reservations in step with the classes: after a class is
 * created or ended, and at start (reservations live in memory, classes in the
 * store). Labs no class wants any more have their reservation cancelled.
 */
export class ClassWarming {
  private readonly reserve: Reserve;
  private readonly cap: number;
  private readonly knownLab: (slug: string) => boolean;
  private reserved = new Set<string>();

  constructor(reserve: Reserve, cap: number, knownLab: (slug: string) => boolean = () => true) {
    this.reserve = reserve;
    this.cap = cap;
    this.knownLab = knownLab;
  }

  sync(current: ClassRecord[]): Map<string, Reservation> {
    const wanted = reservationsFor(current, this.cap, this.knownLab);
    for (const lab of this.reserved) if (!wanted.has(lab)) this.reserve(lab, 0, new Date());
    for (const [lab, { size, readyBy }] of wanted) this.reserve(lab, size, readyBy);
    this.reserved = new Set(wanted.keys());
    return wanted;
  }
}

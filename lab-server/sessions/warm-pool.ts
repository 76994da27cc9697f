/**
 * Warm pools: per lab, sandboxes set up ahead of the learners who will claim
 * them (engine up, images loaded, setup run), so that Start is an attach. A
 * warm sandbox has served nobody: no terminal was ever opened in it, and it is
 * handed to one session only (`take` removes it from the pool before anything
 * awaits). Its seed, chosen when it was made, becomes its session's.
 *
 * The size of each lab's pool is the largest of: what the operator configured
 * (DRYDOCK_WARM_POOLS), recent demand (half the starts of that lab in the last
 * 15 minutes: one learner costs nothing, a class keeps its pool ahead of it),
 * and a reservation (a size wanted by a time, for a class, less the starts of
 * that lab since it began filling: each learner claims one). All pools together
 * stay under DRYDOCK_WARM_MAX, and a pool grows only while the host has room
 * for a learner beyond it and nobody is waiting in line. Refills run one at a
 * time, never while a learner's own start is under way, in sandboxes with a
 * small CPU weight until claimed.
 *
 * When a reservation ends (cancelled, or its class past its grace) the lab's
 * pool gives back what nobody claimed: warm sandboxes beyond its other targets
 * are removed. Only sandboxes still in the pool are, so never one a learner's
 * start has taken.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import type { PreparedBackend } from '../backend/sandbox-backend.ts';
import type { SessionStore } from '../store/session-store.ts';
import { type Phases, removeSandbox, type SetUpSandbox, setUpSandbox } from './sandbox-setup.ts';

export const DEMAND_WINDOW_MS = 15 * 60_000;
/** How often the pools are looked at (a claim or a reservation looks at once). */
const TICK_MS = 2000;
/**
 * No refill starts this soon after a claim: a class pressing Start claims
 * sandboxes one after another, and a sandbox being created meanwhile would take
 * the engine's CPU from their terminals attaching.
 */
const QUIET_AFTER_CLAIM_MS = 3000;
/** A lab whose warm setup failed is not tried again for this long. */
const FAILURE_BACKOFF_MS = 60_000;
/** Until a lab's warm setup was timed once, a refill is assumed to take this long. */
const DEFAULT_SETUP_S = 30;

export interface WarmPoolStatus {
  lab: string;
  /** What the pool aims for now, and why that much. */
  target: number;
  configured: number;
  demand: number;
  reserved?: { size: number; readyBy: string; startsAt: string };
  warm: number;
  warming: number;
}

interface Reservation {
  size: number;
  readyBy: number;
  /** Set once filling began: a faster refill than estimated never makes the pool shrink back. */
  filling: boolean;
  /** Starts of the lab since filling began: learners who have their sandbox already. */
  claimed: number;
}

/** A reservation holds its size this long after its time (the class runs), then ends. */
const RESERVATION_HOLD_MS = 2 * 3600_000;

export class WarmPool {
  private readonly store: SessionStore;
  private readonly owner: string;
  private readonly log: FastifyBaseLogger;
  private readonly findLab: (slug: string) => Lab | undefined;
  private readonly labVersion: (lab: Lab) => string;
  private readonly configured: Readonly<Record<string, number>>;
  private readonly max: number;
  private readonly setupTimeoutMs: number;
  private readonly mayGrow: () => boolean | Promise<boolean>;
  private readonly busy: () => boolean;
  private readonly warm = new Map<string, SetUpSandbox[]>();
  private readonly starts = new Map<string, number[]>();
  private readonly reservations = new Map<string, Reservation>();
  /** Labs whose reservation ended: their surplus warm sandboxes are removed. */
  private readonly released = new Set<string>();
  /** Warm sandboxes given up and on their way out (closing waits for them). */
  private readonly removing = new Set<Promise<void>>();
  private readonly failedAt = new Map<string, number>();
  /** Seconds the last warm setup of each lab took, to know when to start a reservation. */
  private readonly setupSeconds = new Map<string, number>();
  private warming: { lab: string; done: Promise<void> } | undefined;
  /** A refill is asking whether it may grow (the answer awaits the host's memory reading). */
  private deciding = false;
  private backend: PreparedBackend | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When a warm sandbox was last claimed (refills keep quiet a moment after). */
  private claimedAt = 0;
  private closed = false;

  constructor(opts: {
    store: SessionStore;
    owner: string;
    log: FastifyBaseLogger;
    findLab: (slug: string) => Lab | undefined;
    labVersion: (lab: Lab) => string;
    /** Lab slug → sandboxes kept warm whatever the demand (DRYDOCK_WARM_POOLS). */
    configured: Record<string, number>;
    /** All pools together (DRYDOCK_WARM_MAX). */
    max: number;
    setupTimeoutMs: number;
    /** Whether the host has room for one more sandbox beyond the learners' and the pools'. */
    mayGrow: () => boolean | Promise<boolean>;
    /** Whether a learner's start is under way (a refill waits for it). */
    busy: () => boolean;
  }) {
    this.store = opts.store;
    this.owner = opts.owner;
    this.log = opts.log.child({ part: 'warm-pool' });
    this.findLab = opts.findLab;
    this.labVersion = opts.labVersion;
    this.configured = opts.configured;
    this.max = opts.max;
    this.setupTimeoutMs = opts.setupTimeoutMs;
    this.mayGrow = opts.mayGrow;
    this.busy = opts.busy;
  }

  /** Starts refilling, with the warm sandboxes a previous run left (reconcile.ts found them). */
  attach(backend: PreparedBackend, found: SetUpSandbox[]): void {
    this.backend = backend;
    for (const sandbox of found) this.pool(sandbox.lab.slug).push(sandbox);
    this.timer = setInterval(() => this.refill(), TICK_MS);
    this.timer.unref();
    this.refill();
  }

  private pool(slug: string): SetUpSandbox[] {
    let pool = this.warm.get(slug);
    if (!pool) this.warm.set(slug, (pool = []));
    return pool;
  }

  /** Warm sandboxes, and the one being set up. */
  get size(): number {
    let n = this.warming ? 1 : 0;
    for (const pool of this.warm.values()) n += pool.length;
    return n;
  }

  /** Every warm sandbox's container id (kept running at a shutdown with `keep`). */
  containers(): string[] {
    return [...this.warm.values()].flat().map((w) => w.sandbox.id);
  }

  /** Whether a warm sandbox of this lab waits (a start now would claim it). */
  has(slug: string): boolean {
    return (this.warm.get(slug)?.length ?? 0) > 0;
  }

  /**
   * A learner started this lab: the oldest warm sandbox of it, now theirs alone,
   * or undefined (a cold start). Either way the start counts as demand.
   */
  take(slug: string): SetUpSandbox | undefined {
    const now = Date.now();
    this.starts.set(slug, [...this.recentStarts(slug, now), now]);
    const taken = this.warm.get(slug)?.shift();
    if (taken) this.claimedAt = now;
    const reservation = this.reservations.get(slug);
    if (reservation?.filling) reservation.claimed++;
    queueMicrotask(() => this.refill());
    return taken;
  }

  /**
   * A learner's cold start needs room the pools hold: gives up a warm sandbox of
   * another lab (the one whose pool is furthest over its target).
   */
  makeRoom(forSlug: string): void {
    const candidates = [...this.warm.entries()]
      .filter(([slug, pool]) => slug !== forSlug && pool.length > 0)
      .sort(([a, pa], [b, pb]) => pb.length - this.target(b) - (pa.length - this.target(a)));
    const victim = candidates[0]?.[1].pop();
    if (!victim) return;
    this.log.info({ lab: victim.lab.slug }, 'gave up a warm sandbox to make room for a learner');
    this.remove(victim);
  }

  /**
   * Asks for `size` warm sandboxes of a lab by `readyBy` (a class starting then); 0
   * cancels, and the pool gives back the warm sandboxes of that lab nobody claimed.
   * The same time again keeps the count of starts made against it.
   */
  reserve(slug: string, size: number, readyBy: Date): WarmPoolStatus {
    const had = this.reservations.get(slug);
    if (size === 0) this.release(slug);
    else {
      const same = had?.readyBy === readyBy.getTime();
      this.reservations.set(slug, {
        size,
        readyBy: readyBy.getTime(),
        filling: same ? had.filling : false,
        claimed: same ? had.claimed : 0,
      });
      this.released.delete(slug);
    }
    this.log.info({ lab: slug, size, readyBy: readyBy.toISOString() }, 'warm pool reservation');
    this.refill();
    return this.statusOf(slug);
  }

  private release(slug: string): void {
    this.reservations.delete(slug);
    this.released.add(slug);
  }

  private recentStarts(slug: string, now = Date.now()): number[] {
    return (this.starts.get(slug) ?? []).filter((t) => now - t < DEMAND_WINDOW_MS);
  }

  /** When filling toward a reservation must begin to be done by its time (refills are one at a time). */
  private reservationStart(slug: string, reservation: Reservation): number {
    const each = this.setupSeconds.get(slug) ?? DEFAULT_SETUP_S;
    // Everything else that is warming shares the queue: leave it a margin of half again.
    return reservation.readyBy - reservation.size * each * 1500;
  }

  private target(slug: string, now = Date.now()): number {
    let reservation = this.reservations.get(slug);
    if (reservation && now > reservation.readyBy + RESERVATION_HOLD_MS) {
      this.release(slug);
      reservation = undefined;
    } else if (reservation && now >= this.reservationStart(slug, reservation))
      reservation.filling = true;
    const reserved = reservation?.filling ? Math.max(0, reservation.size - reservation.claimed) : 0;
    return Math.max(
      this.configured[slug] ?? 0,
      Math.floor(this.recentStarts(slug, now).length / 2),
      reserved,
    );
  }

  private statusOf(slug: string): WarmPoolStatus {
    const reservation = this.reservations.get(slug);
    return {
      lab: slug,
      target: this.target(slug),
      configured: this.configured[slug] ?? 0,
      demand: Math.floor(this.recentStarts(slug).length / 2),
      ...(reservation
        ? {
            reserved: {
              size: reservation.size,
              readyBy: new Date(reservation.readyBy).toISOString(),
              startsAt: new Date(this.reservationStart(slug, reservation)).toISOString(),
            },
          }
        : {}),
      warm: this.warm.get(slug)?.length ?? 0,
      warming: this.warming?.lab === slug ? 1 : 0,
    };
  }

  /** Every lab with a pool, a target or a reservation. */
  status(): WarmPoolStatus[] {
    const slugs = new Set([
      ...Object.keys(this.configured),
      ...this.warm.keys(),
      ...this.starts.keys(),
      ...this.reservations.keys(),
    ]);
    return [...slugs].sort().map((slug) => this.statusOf(slug));
  }

  /** A learner's start finished: the pool may refill now rather than at its next look. */
  nudge(): void {
    queueMicrotask(() => this.refill());
  }

  /**
   * Removes the warm sandboxes of released labs beyond their target. A sandbox
   * leaves the pool before anything awaits, as in `take`: no start can claim it
   * while it is being removed.
   */
  private trim(): void {
    for (const slug of this.released) {
      const pool = this.warm.get(slug) ?? [];
      const surplus = pool.splice(Math.max(0, this.target(slug)));
      if (surplus.length === 0 && this.warming?.lab !== slug) this.released.delete(slug);
      if (surplus.length === 0) continue;
      this.log.info(
        { lab: slug, removed: surplus.length },
        'removing warm sandboxes nobody claimed: their reservation ended',
      );
      for (const unclaimed of surplus) this.remove(unclaimed);
    }
  }

  private remove(given: SetUpSandbox): void {
    const removal = removeSandbox(this.store, given.sandbox, this.log).finally(() =>
      this.removing.delete(removal),
    );
    this.removing.add(removal);
  }

  /** Sets up one more warm sandbox for the lab furthest below its target, if it may. */
  private refill(): void {
    if (!this.backend || this.closed) return;
    this.trim();
    if (this.warming || this.deciding || this.busy()) return;
    if (Date.now() - this.claimedAt < QUIET_AFTER_CLAIM_MS) return;
    if (this.size >= this.max || !this.wanted()) return;
    this.deciding = true;
    void Promise.resolve(this.mayGrow())
      .catch((err: unknown) => {
        this.log.warn({ err }, 'could not tell whether the host has room for a warm sandbox');
        return false;
      })
      .then((may) => {
        this.deciding = false;
        if (may && !this.closed && !this.warming && !this.busy()) this.growOne();
      });
  }

  /** Whether any pool is below its target. */
  private wanted(): boolean {
    return this.status().some((status) => status.target > status.warm);
  }

  private growOne(): void {
    const now = Date.now();
    let best: { lab: Lab; deficit: number } | undefined;
    for (const status of this.status()) {
      const deficit = status.target - status.warm;
      const lab = this.findLab(status.lab);
      if (!lab || deficit <= 0) continue;
      if (now - (this.failedAt.get(lab.slug) ?? 0) < FAILURE_BACKOFF_MS) continue;
      if (!best || deficit > best.deficit) best = { lab, deficit };
    }
    if (best) this.warming = { lab: best.lab.slug, done: this.warmOne(best.lab) };
  }

  private async warmOne(lab: Lab): Promise<void> {
    const started = performance.now();
    const phases: Phases = {};
    try {
      const ready = await setUpSandbox({
        backend: this.backend!,
        store: this.store,
        owner: this.owner,
        lab,
        labVersion: this.labVersion(lab),
        seed: randomBytes(8).toString('hex'),
        setupTimeoutMs: this.setupTimeoutMs,
        priority: 'background',
        log: this.log,
        phases,
      });
      await this.store.setSandboxState(ready.sandbox.id, 'warm');
      const seconds = (performance.now() - started) / 1000;
      this.setupSeconds.set(lab.slug, seconds);
      if (this.closed) {
        await removeSandbox(this.store, ready.sandbox, this.log);
        return;
      }
      this.pool(lab.slug).push(ready);
      this.log.info({ lab: lab.slug, seconds: +seconds.toFixed(1), phases }, 'warm sandbox ready');
    } catch (err) {
      this.failedAt.set(lab.slug, Date.now());
      this.log.warn(
        { err, lab: lab.slug },
        'setting up a warm sandbox failed; trying again in a minute',
      );
    } finally {
      this.warming = undefined;
      queueMicrotask(() => this.refill());
    }
  }

  /** Stops refilling; with `keep`, warm sandboxes stay for the next start, otherwise they go. */
  async close(keep: boolean): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.warming?.done;
    await Promise.all(this.removing);
    if (keep) return;
    const all = [...this.warm.values()].flat();
    this.warm.clear();
    await Promise.all(all.map((w) => removeSandbox(this.store, w.sandbox, this.log)));
  }
}

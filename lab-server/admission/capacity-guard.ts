/**
 * Admission lets sandboxes in by what they use now (room.ts), so together
 * their limits promise more memory than the host has. Most never claim it; if
 * enough do, the host's OOM killer would pick a victim anywhere on the host:
 * the lab server, the engine, another learner's shell. This guard acts first.
 * Every few seconds it reads what the sandboxes use; when the host nears its
 * high-water mark it names the sandbox furthest over its fair share, and
 * whoever wired it ends that session with reason `capacity`.
 *
 * The high-water mark: the sandboxes together use more than the memory planned
 * for them (host memory − reserve), or the host's available memory (all of its
 * users together) falls below half the reserve. A sandbox's fair share is that
 * planned memory split evenly between the live sandboxes; only a sandbox above
 * its share is ever ended, so a host short of memory for other reasons is not
 * relieved at the cost of a learner who kept within theirs (that is logged).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { MemoryReading, MemorySource } from './memory-meter.ts';
import { type HostFacts, memoryBudget, type MemoryPlan } from './room.ts';

/** How often the guard measures. A sandbox can grow faster than this; the reserve is the margin. */
const DEFAULT_INTERVAL_MS = 2000;
/** A named sandbox not gone within this long is presumed stuck: the guard may name another. */
const REMOVAL_GRACE_MS = 15_000;
const MiB = 1024 ** 2;

/** A sandbox the guard wants ended, and why. */
export interface OverShare {
  containerId: string;
  usedBytes: number;
  shareBytes: number;
  /** Which mark was passed: the sandboxes' planned memory, or the host's available memory. */
  mark: 'budget' | 'host';
}

export interface GuardInput {
  /** Working set of each sandbox that may be ended (those already named are left out). */
  sandboxes: ReadonlyMap<string, number>;
  /** Live sandboxes of this server, starting ones included. */
  live: number;
  /** Memory planned for the sandboxes: host memory − reserve (room.ts memoryBudget). */
  budgetBytes: number;
  hostAvailableBytes?: number | undefined;
  reserveBytes: number;
}

/** Which high-water mark the host is past, if any. */
export function pastMark(input: GuardInput): OverShare['mark'] | undefined {
  let used = 0;
  for (const bytes of input.sandboxes.values()) used += bytes;
  if (used > input.budgetBytes) return 'budget';
  if (input.hostAvailableBytes !== undefined && input.hostAvailableBytes < input.reserveBytes / 2)
    return 'host';
  return undefined;
}

/** The sandbox to end now: past a mark, the one furthest over its fair share; else none. */
export function overShare(input: GuardInput): OverShare | undefined {
  const mark = pastMark(input);
  if (!mark) return undefined;
  const shareBytes = input.budgetBytes / Math.max(1, input.live, input.sandboxes.size);
  let worst: OverShare | undefined;
  for (const [containerId, usedBytes] of input.sandboxes)
    if (usedBytes > shareBytes && usedBytes > (worst?.usedBytes ?? 0))
      worst = { containerId, usedBytes, shareBytes, mark };
  return worst;
}

export interface CapacityGuardOptions {
  memory: MemorySource;
  /** The server's configuration (DRYDOCK_HOST_MEMORY and DRYDOCK_HOST_RESERVE_MEMORY). */
  limits: MemoryPlan;
  /** The engine host's MemTotal (host-probe.ts). */
  facts: () => Promise<HostFacts>;
  /** Live sandboxes of this server, starting ones included. */
  live: () => number;
  /** Ends the session whose sandbox is this container, with reason `capacity`. */
  onOverShare: (containerId: string, why: OverShare) => void | Promise<void>;
  log: FastifyBaseLogger;
  intervalMs?: number;
}

export class CapacityGuard {
  private readonly options: CapacityGuardOptions;
  private readonly intervalMs: number;
  /** Sandboxes named already, and when: they are on their way out. */
  private readonly named = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private warnedShort = false;

  constructor(options: CapacityGuardOptions) {
    this.options = options;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check()
        .catch((error: unknown) =>
          this.options.log.error({ err: error }, 'the capacity guard failed to measure'),
        )
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One round: measures, and names the sandbox to end if there is one. Returns it. */
  async check(): Promise<OverShare | undefined> {
    const [facts, reading] = await Promise.all([
      this.options.facts(),
      // Fresh, not the cached reading admission may use: this is the guard's whole point.
      this.options.memory.read(0),
    ]);
    const budgetBytes = memoryBudget(this.options.limits, facts);
    if (!reading || budgetBytes === undefined) return undefined;
    if (this.waitingForRemoval(reading)) return undefined;
    const sandboxes = new Map(
      [...reading.sandboxes].filter(([containerId]) => !this.named.has(containerId)),
    );
    const input: GuardInput = {
      sandboxes,
      live: this.options.live(),
      budgetBytes,
      hostAvailableBytes: reading.hostAvailableBytes,
      reserveBytes: this.options.limits.hostReserve.memoryBytes,
    };
    const victim = overShare(input);
    if (!victim) {
      this.warnShortOnce(input);
      return undefined;
    }
    this.named.set(victim.containerId, Date.now());
    this.options.log.warn(
      {
        container: victim.containerId.slice(0, 12),
        usedMiB: Math.round(victim.usedBytes / MiB),
        shareMiB: Math.round(victim.shareBytes / MiB),
        mark: victim.mark,
        sandboxesMiB: Math.round([...sandboxes.values()].reduce((a, b) => a + b, 0) / MiB),
        budgetMiB: Math.round(budgetBytes / MiB),
        hostAvailableMiB:
          reading.hostAvailableBytes === undefined
            ? undefined
            : Math.round(reading.hostAvailableBytes / MiB),
      },
      'the host is running short of memory: ending the sandbox furthest over its share',
    );
    await this.options.onOverShare(victim.containerId, victim);
    return victim;
  }

  /**
   * Whether a sandbox named earlier still runs: its memory is freed only once it is
   * removed, and until then the host looks as short as before, which would name an
   * innocent second one. Forgets the named sandboxes that are gone.
   */
  private waitingForRemoval(reading: MemoryReading): boolean {
    let waiting = false;
    for (const [containerId, at] of this.named) {
      if (!reading.sandboxes.has(containerId)) this.named.delete(containerId);
      else if (Date.now() - at < REMOVAL_GRACE_MS) waiting = true;
    }
    return waiting;
  }

  private warnShortOnce(input: GuardInput): void {
    const mark = pastMark(input);
    if (!mark) {
      this.warnedShort = false;
      return;
    }
    if (this.warnedShort) return;
    this.warnedShort = true;
    this.options.log.warn(
      {
        mark,
        hostAvailableMiB:
          input.hostAvailableBytes === undefined
            ? undefined
            : Math.round(input.hostAvailableBytes / MiB),
      },
      'the host is running short of memory, but no sandbox uses more than its share: something else on the host is using it',
    );
  }
}

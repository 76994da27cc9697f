/**
 * How many more sandboxes fit right now: the configured maximum, the memory
 * the sandboxes really use (memory-meter.ts) against what the host has, and
 * the free disk where the engine keeps its data. A pure function, so that the
 * arithmetic is tested without an engine.
 *
 * Memory: a sandbox's limit (memory + its tmpfs-backed engine data) is a
 * ceiling it may grow to, not what it uses: a ready sandbox of a typical lab
 * uses a tenth of it. So each sandbox counts as what it uses now, but at
 * least its limit ÷ the overcommit (its "floor"): the floor is room for the
 * growth of sandboxes that are still small, and for sandboxes too new to be
 * measured. With an overcommit of 1, or without a measurement, every sandbox
 * counts at its full limit, as a host that promises nothing it lacks.
 */

/** What the engine's host reported; a field is missing when it could not be measured. */
export interface HostFacts {
  /** `docker info`'s MemTotal. */
  memTotalBytes?: number;
  /** Free space (for unprivileged users) of the file system holding `docker info`'s DockerRootDir. */
  diskFreeBytes?: number;
}

/** What the memory meter measured (memory-meter.ts). */
export interface MemoryUse {
  /** The working set of each of this server's sandbox containers that runs now. */
  sandboxes: number[];
  /** The host's MemAvailable, when the engine runs on this machine. */
  hostAvailableBytes?: number;
}

/** How much of the host's memory is planned for sandboxes (AdmissionLimits, Config). */
export interface MemoryPlan {
  /** DRYDOCK_HOST_MEMORY: plan with this much of the host at most. */
  hostMemoryBytes?: number | undefined;
  hostReserve: { memoryBytes: number };
}

export interface RoomInput {
  /** Sandboxes of this server that are starting or running. */
  live: number;
  maxSandboxes: number;
  /** Memory limit (ceiling) of one sandbox. */
  sandboxMemoryBytes: number;
  /** DRYDOCK_MEMORY_OVERCOMMIT (≥ 1); 1 when absent. */
  overcommit?: number;
  /** DRYDOCK_HOST_MEMORY */
  hostMemoryBytes?: number | undefined;
  reserve: { memoryBytes: number; diskBytes: number };
  host: HostFacts;
  /** What the sandboxes use now; without it, every sandbox counts at its full limit. */
  use?: MemoryUse | undefined;
  /**
   * The start claims a warm sandbox: it is running and measured already (its room,
   * growth included, is counted), so only the count of sandboxes can refuse it.
   */
  claimsWarm?: boolean;
}

/**
 * What refuses: the configured maximum, the memory planned for sandboxes
 * (host memory − reserve), the host's memory as it really is now (which
 * includes everything else it runs), or the disk.
 */
export type Limit = 'sandboxes' | 'memory' | 'host-memory' | 'disk';

export interface Room {
  /** How many more sandboxes may start now (0 = full). */
  slots: number;
  /** What limits `slots` when it is 0; undefined while there is room. */
  limitedBy?: Limit;
}

/** The memory this server's sandboxes may use together: the host's (or less, if configured) minus the reserve. */
export function memoryBudget(plan: MemoryPlan, host: HostFacts): number | undefined {
  const sizes = [host.memTotalBytes, plan.hostMemoryBytes].filter((n) => n !== undefined);
  if (sizes.length === 0) return undefined;
  return Math.min(...sizes) - plan.hostReserve.memoryBytes;
}

/** The least a sandbox counts as, whatever it uses. */
export function floorOf(sandboxMemoryBytes: number, overcommit = 1): number {
  return sandboxMemoryBytes / Math.max(1, overcommit);
}

/** Sandboxes of `floor` bytes that fit in `spare` bytes (never negative). */
const fitting = (spare: number, floor: number) => Math.max(0, Math.floor(spare / floor));

export function roomFor(input: RoomInput): Room {
  const candidates: [Limit, number][] = [['sandboxes', input.maxSandboxes - input.live]];
  if (input.claimsWarm)
    return candidates[0]![1] > 0
      ? { slots: candidates[0]![1] }
      : { slots: 0, limitedBy: 'sandboxes' };
  const floor = input.use
    ? floorOf(input.sandboxMemoryBytes, input.overcommit)
    : input.sandboxMemoryBytes;
  const used = input.use?.sandboxes ?? [];
  // Admitted, but not measured yet (starting, or started since the last reading).
  const unmeasured = Math.max(0, input.live - used.length) * floor;
  const budget = memoryBudget(
    { hostMemoryBytes: input.hostMemoryBytes, hostReserve: input.reserve },
    input.host,
  );
  if (budget !== undefined) {
    const counted = used.reduce((sum, u) => sum + Math.max(u, floor), 0) + unmeasured;
    candidates.push(['memory', fitting(budget - counted, floor)]);
  }
  // The host as it is: whatever else runs there (other servers' sandboxes included) has
  // taken its share already. Sandboxes below their floor may still grow to it.
  const available = input.use?.hostAvailableBytes;
  if (available !== undefined) {
    const growth = used.reduce((sum, u) => sum + Math.max(0, floor - u), 0) + unmeasured;
    candidates.push([
      'host-memory',
      fitting(available - input.reserve.memoryBytes - growth, floor),
    ]);
  }
  // A sandbox writes only its log to the engine's disk, so disk is a yes/no: below the reserve nothing new starts.
  if (input.host.diskFreeBytes !== undefined && input.host.diskFreeBytes < input.reserve.diskBytes)
    candidates.push(['disk', 0]);
  let [limitedBy, slots] = candidates[0]!;
  for (const [limit, n] of candidates) if (n < slots) [limitedBy, slots] = [limit, n];
  return slots > 0 ? { slots } : { slots: 0, limitedBy };
}

/**
 * How many more sandboxes fit right now: the configured maximum, the engine
 * host's memory (every sandbox's memory limit counted in full, plus a reserve
 * for the host itself) and the free disk where the engine keeps its data.
 * A pure function, so that the arithmetic is tested without an engine.
 */

/** What the engine's host reported; a field is missing when it could not be measured. */
export interface HostFacts {
  /** `docker info`'s MemTotal. */
  memTotalBytes?: number;
  /** Free space (for unprivileged users) of the file system holding `docker info`'s DockerRootDir. */
  diskFreeBytes?: number;
}

export interface RoomInput {
  /** Sandboxes of this server that are starting or running. */
  live: number;
  maxSandboxes: number;
  /** Memory limit of one sandbox. */
  sandboxMemoryBytes: number;
  reserve: { memoryBytes: number; diskBytes: number };
  host: HostFacts;
}

export type Limit = 'sandboxes' | 'memory' | 'disk';

export interface Room {
  /** How many more sandboxes may start now (0 = full). */
  slots: number;
  /** What limits `slots` when it is 0; undefined while there is room. */
  limitedBy?: Limit;
}

export function roomFor(input: RoomInput): Room {
  const candidates: [Limit, number][] = [['sandboxes', input.maxSandboxes - input.live]];
  const { memTotalBytes, diskFreeBytes } = input.host;
  if (memTotalBytes !== undefined) {
    const spare = memTotalBytes - input.reserve.memoryBytes - input.live * input.sandboxMemoryBytes;
    candidates.push(['memory', Math.floor(spare / input.sandboxMemoryBytes)]);
  }
  // A sandbox's disk use is not limited, so disk is a yes/no: below the reserve nothing new starts.
  if (diskFreeBytes !== undefined && diskFreeBytes < input.reserve.diskBytes)
    candidates.push(['disk', 0]);
  let [limitedBy, slots] = candidates[0]!;
  for (const [limit, n] of candidates) if (n < slots) [limitedBy, slots] = [limit, n];
  return slots > 0 ? { slots } : { slots: 0, limitedBy };
}

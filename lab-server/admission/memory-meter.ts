/**
 * What this server's sandboxes really use of the host's memory, and what the
 * host has left: the numbers admission (room.ts) and the capacity guard
 * (capacity-guard.ts) decide on.
 *
 * A sandbox's use is its container's working set, as `docker stats` shows it:
 * the cgroup's usage minus its inactive file pages. Not minus all page cache:
 * the sandbox keeps its engine's data in tmpfs, whose pages are "cache" to the
 * kernel but can be neither dropped nor swapped (the limit includes swap), so
 * they are as real as any process's memory.
 *
 * For an engine on this machine the meter reads each sandbox's memory cgroup
 * directly (cgroup-memory.ts): asking the engine's stats API instead cost about
 * 12 ms of dockerd's CPU per sandbox, a quarter of a core for 40 sandboxes read
 * every 2 s. The stats API remains the way for a remote engine, and for
 * sandboxes whose cgroup is not visible from here (the server in a container).
 *
 * The host's MemAvailable comes from /proc/meminfo, and only when the engine
 * runs on this machine: a remote engine's host is not ours to read.
 */
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { ownerFilter } from '../labels.ts';
import {
  type CgroupRoots,
  HOST_ROOTS,
  type MemoryCgroup,
  memoryCgroupOf,
  usageOf,
} from './cgroup-memory.ts';

export interface MemoryReading {
  /** When it was taken (Date.now()). */
  at: number;
  /** Working set in bytes of each running sandbox container of this owner, by container id. */
  sandboxes: Map<string, number>;
  /** The host's MemAvailable, when the engine runs on this machine and /proc/meminfo is readable. */
  hostAvailableBytes?: number;
}

/** What admission and the guard need from a meter (a fake in unit tests). */
export interface MemorySource {
  /** A reading at most `maxAgeMs` old (a fresh one when 0); undefined when the engine did not answer. */
  read(maxAgeMs?: number): Promise<MemoryReading | undefined>;
}

/** A reading this recent is good enough for admission: sandboxes rarely change faster. */
const DEFAULT_MAX_AGE_MS = 2000;
/** Sandboxes measured at once: enough to overlap waits on the engine, few enough not to crowd it. */
const PARALLEL = 8;

/** The memory part of a container's stats, v1 or v2 (field names as the engine gives them). */
export interface MemoryStatsLike {
  usage?: number;
  stats?: Partial<Record<string, number>>;
}

/**
 * The working set of a container, as the docker CLI computes it: usage minus
 * inactive file pages (`total_inactive_file` on cgroup v1, `inactive_file` on v2).
 * Undefined when the engine reported no usage (the container is not running).
 */
export function workingSet(memory: MemoryStatsLike | undefined): number | undefined {
  const usage = memory?.usage;
  if (!usage) return undefined;
  const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

/** MemAvailable from the text of /proc/meminfo, in bytes. */
export function memAvailable(meminfo: string): number | undefined {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  return match ? Number(match[1]) * 1024 : undefined;
}

export class MemoryMeter implements MemorySource {
  private readonly docker: Docker;
  private readonly owner: string;
  private readonly local: boolean;
  private readonly log: FastifyBaseLogger;
  private readonly meminfo: string;
  private readonly roots: CgroupRoots;
  /** Each sandbox's memory cgroup, once found; null where it is not visible here (the engine is asked). */
  private readonly cgroups = new Map<string, MemoryCgroup | null>();
  private last: MemoryReading | undefined;
  private pending: Promise<MemoryReading | undefined> | undefined;
  private readonly said = new Set<string>();

  constructor(
    docker: Docker,
    options: {
      owner: string;
      /** Whether the engine runs on this machine (host-probe.ts isLocalEngine). */
      local: boolean;
      log: FastifyBaseLogger;
      /** For tests: a file laid out like /proc/meminfo. */
      meminfo?: string;
      /** For tests: where /proc and /sys/fs/cgroup are. */
      roots?: CgroupRoots;
    },
  ) {
    this.docker = docker;
    this.owner = options.owner;
    this.local = options.local;
    this.log = options.log;
    this.meminfo = options.meminfo ?? '/proc/meminfo';
    this.roots = options.roots ?? HOST_ROOTS;
  }

  async read(maxAgeMs = DEFAULT_MAX_AGE_MS): Promise<MemoryReading | undefined> {
    if (maxAgeMs > 0 && this.last && Date.now() - this.last.at <= maxAgeMs) return this.last;
    // Admission and the guard ask at once: one reading serves both.
    this.pending ??= this.measure().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async measure(): Promise<MemoryReading | undefined> {
    const at = Date.now();
    let ids: string[];
    try {
      // Running containers only (the list's default): a stopped one holds no memory.
      const containers = await this.docker.listContainers({ filters: ownerFilter(this.owner) });
      ids = containers.map((c) => c.Id);
    } catch (error) {
      // Without a reading, admission counts every sandbox at its full limit: nothing is promised on a guess.
      this.once(
        'list',
        `measuring the sandboxes' memory failed (${(error as Error).message}): counting each at its full limit until the engine answers`,
      );
      return undefined;
    }
    for (const id of this.cgroups.keys()) if (!ids.includes(id)) this.cgroups.delete(id);
    const sandboxes = new Map<string, number>();
    for (let i = 0; i < ids.length; i += PARALLEL) {
      await Promise.all(
        ids.slice(i, i + PARALLEL).map(async (id) => {
          const used = await this.workingSetOf(id);
          if (used !== undefined) sandboxes.set(id, used);
        }),
      );
    }
    const reading: MemoryReading = { at, sandboxes };
    const available = await this.hostAvailable();
    if (available !== undefined) reading.hostAvailableBytes = available;
    this.last = reading;
    return reading;
  }

  /** A container that stopped or went meanwhile is left out: admission counts it as unmeasured. */
  private async workingSetOf(id: string): Promise<number | undefined> {
    if (this.local) {
      if (!this.cgroups.has(id)) this.cgroups.set(id, await this.locate(id));
      const cgroup = this.cgroups.get(id);
      if (cgroup) {
        const used = workingSet(await usageOf(cgroup));
        if (used !== undefined) return used;
        // Gone, or restarted in a new cgroup: look it up again next time.
        this.cgroups.delete(id);
      }
    }
    return this.fromEngine(id);
  }

  /** The container's memory cgroup, through its init process; null when not visible from here. */
  private async locate(id: string): Promise<MemoryCgroup | null> {
    try {
      const { State } = await this.docker.getContainer(id).inspect();
      const cgroup =
        State.Running && State.Pid ? await memoryCgroupOf(State.Pid, this.roots) : undefined;
      if (!cgroup && State.Running)
        this.once(
          'cgroup',
          "the sandboxes' memory cgroups are not visible here (is the server in a container?): asking the engine's stats API, which costs the engine about 12 ms of CPU per sandbox and reading",
        );
      return cgroup ?? null;
    } catch {
      return null;
    }
  }

  private async fromEngine(id: string): Promise<number | undefined> {
    try {
      // One-shot: the engine answers from the cgroup at once instead of sampling for a second.
      const stats = await this.docker
        .getContainer(id)
        .stats({ stream: false, 'one-shot': true } as { stream: false });
      return workingSet(stats.memory_stats);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 409)
        this.once('stats', `reading a sandbox's memory failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async hostAvailable(): Promise<number | undefined> {
    if (!this.local) return undefined;
    try {
      return memAvailable(await readFile(this.meminfo, 'utf8'));
    } catch (error) {
      this.once(
        'meminfo',
        `cannot read ${this.meminfo} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): admission plans with the engine's MemTotal only, not with what the host has available`,
      );
      return undefined;
    }
  }

  private once(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.log.warn(message);
  }
}

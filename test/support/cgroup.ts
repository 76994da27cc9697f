/**
 * The host's view of one container's resource use and limits (CPU time, memory,
 * processes, OOM kills, refused forks), as the kernel's cgroups count them. The
 * adversarial and fault suites assert on these counters, so they must read them
 * wherever the tests run: cgroup v1 (one hierarchy per controller, as on these
 * machines) and cgroup v2 (one unified hierarchy, most current distributions),
 * with the paths of either Docker cgroup driver (cgroupfs: /docker/<id>; systemd:
 * /system.slice/docker-<id>.scope). The container's cgroup is resolved from
 * /proc/<pid>/cgroup, never guessed from the driver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface CgroupCounters {
  /** 1 for the per-controller hierarchies, 2 for the unified one. */
  version: 1 | 2;
  /** Processes the kernel's OOM killer ended in this cgroup. */
  oomKills(): number;
  /** Forks refused by the pids limit. */
  forkFailures(): number;
  /** CPU time used, in nanoseconds. */
  cpuNanos(): number;
  /** Memory charged now (page cache and tmpfs included), in bytes. */
  memoryBytes(): number;
  /** Processes in the cgroup now. */
  pids(): number;
}

/** Where the kernel's files are: the real ones, or a fixture laid out the same way. */
export interface CgroupRoots {
  proc: string;
  sysFsCgroup: string;
}

const HOST: CgroupRoots = { proc: '/proc', sysFsCgroup: '/sys/fs/cgroup' };

/** A counter that cannot be read (the cgroup is gone with its container) is NaN: comparisons with it fail. */
function reader(path: string) {
  return {
    number: (): number => {
      try {
        return Number(readFileSync(path, 'utf8').trim());
      } catch {
        return NaN;
      }
    },
    /** One key of a flat-keyed file such as memory.events or cpu.stat ("key value" per line). */
    key: (name: string): number => {
      try {
        const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(readFileSync(path, 'utf8'));
        return match ? Number(match[1]) : NaN;
      } catch {
        return NaN;
      }
    },
  };
}

/**
 * The cgroup of a process, as /proc/<pid>/cgroup gives it. Each line is
 * `hierarchy-id:controllers:path`; v2 has one line `0::path`, v1 a line per
 * hierarchy (a hybrid host adds an empty `0::` line, which is not where v1's
 * controllers are).
 */
export function processCgroup(pid: number, roots: CgroupRoots = HOST): CgroupCounters {
  const lines = readFileSync(join(roots.proc, String(pid), 'cgroup'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, , controllers = '', path = '/'] = /^(\d+):([^:]*):(.*)$/.exec(line) ?? [];
      return { controllers: controllers.split(',').filter(Boolean), path };
    });
  const v1 = lines.filter((line) => line.controllers.length > 0);
  if (v1.length === 0) {
    const unified = lines.find((line) => line.controllers.length === 0);
    if (!unified) throw new Error(`/proc/${pid}/cgroup names no cgroup`);
    const file = (name: string) => reader(join(roots.sysFsCgroup, unified.path, name));
    return {
      version: 2,
      oomKills: () => file('memory.events').key('oom_kill'),
      forkFailures: () => file('pids.events').key('max'),
      cpuNanos: () => file('cpu.stat').key('usage_usec') * 1000,
      memoryBytes: () => file('memory.current').number(),
      pids: () => file('pids.current').number(),
    };
  }
  const file = (controller: string, name: string) => {
    const line = v1.find((l) => l.controllers.includes(controller));
    // The hierarchy is mounted under its controllers' joint name ("cpu,cpuacct").
    return reader(
      line ? join(roots.sysFsCgroup, line.controllers.join(','), line.path, name) : '/nonexistent',
    );
  };
  return {
    version: 1,
    oomKills: () => file('memory', 'memory.oom_control').key('oom_kill'),
    forkFailures: () => file('pids', 'pids.events').key('max'),
    cpuNanos: () => file('cpuacct', 'cpuacct.usage').number(),
    memoryBytes: () => file('memory', 'memory.usage_in_bytes').number(),
    pids: () => file('pids', 'pids.current').number(),
  };
}

/** The counters of a running container of the machine's engine (its cgroup outlives its reads only while it runs). */
export async function containerCgroup(containerId: string): Promise<CgroupCounters> {
  const { State } = await new Docker().getContainer(containerId).inspect();
  if (!State.Running || !State.Pid) throw new Error(`container ${containerId} does not run`);
  return processCgroup(State.Pid);
}

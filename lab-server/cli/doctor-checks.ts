/**
 * What `drydock doctor` looks at, one function per item, each answering ok,
 * warn or fail with a one-line detail and, for anything not ok, the fix. They
 * measure the host the way the server will meet it (the same config, the same
 * image catalog, a real probe sandbox), and never stop at the first problem.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { freemem, tmpdir, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { ignoreGone, probeEngine } from '../docker/engine.ts';
import { PROFILES } from '../sandbox/profiles.ts';
import { LABEL, ownerFilter, PLATFORM } from '../labels.ts';
import { isLocalEngine } from '../admission/host-probe.ts';
import { machineFacts } from '../classes/class-capacity.ts';
import type { ImageRecipe } from '../images/catalog.ts';
import { DockerSandboxProvider } from '../sandbox/docker-sandbox.ts';
import { probeFeatures } from '../sandbox/features.ts';
import { demuxLog } from '../sandbox/start-failure.ts';
import { formatBytes, onInterrupt } from './output.ts';

export type Status = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** Stable key for --json consumers, e.g. "engine", "device:/dev/net/tun". */
  id: string;
  status: Status;
  detail: string;
  /** What to do about it (every fail has one). */
  fix?: string;
}

/** What `docker info` tells us; empty when no engine answers. */
export interface EngineInfo {
  MemTotal?: number;
  DockerRootDir?: string;
  CgroupVersion?: string;
  CgroupDriver?: string;
  SecurityOptions?: string[];
  ID?: string;
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);

export async function checkEngine(
  docker: Docker,
  config: Config,
): Promise<{ finding: Finding; info?: EngineInfo }> {
  const status = await probeEngine(docker, config.engine);
  if (!status.available)
    return {
      finding: {
        id: 'engine',
        status: 'fail',
        detail: status.reason!,
        fix: status.fix!,
      },
    };
  const info = (await docker.info()) as EngineInfo;
  const rootless = info.SecurityOptions?.some((o) => o.includes('rootless')) ? ', rootless' : '';
  return {
    info,
    finding: {
      id: 'engine',
      status: 'ok',
      detail: `Docker engine ${status.version} answers at ${config.dockerHost} (cgroup driver ${info.CgroupDriver ?? '?'}${rootless})`,
    },
  };
}

/** cgroup v1 or v2 on this host, and on v2 whether the controllers a sandbox's own engine needs are delegated. */
export function checkCgroups(config: Config, info: EngineInfo | undefined): Finding {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const engineV = info?.CgroupVersion;
  if (!v2) {
    return {
      id: 'cgroup',
      status: config.sandbox.profile === 'rootless' ? 'warn' : 'ok',
      detail:
        config.sandbox.profile === 'rootless'
          ? `cgroup v1${engineV ? ` (the engine reports v${engineV})` : ''}: rootless sandboxes run, but their inner engine cannot enforce memory limits, so labs that require "memory-limits" are shown as unavailable`
          : 'cgroup v1: the dind profile enforces limits inside sandboxes',
      fix: 'boot the host with cgroup v2 (systemd.unified_cgroup_hierarchy=1; the default of current distributions) to offer every lab with the rootless profile',
    };
  }
  const delegated = (read('/sys/fs/cgroup/cgroup.subtree_control') ?? '').split(/\s+/);
  const missing = ['memory', 'pids', 'cpu'].filter((c) => !delegated.includes(c));
  if (missing.length)
    return {
      id: 'cgroup',
      status: 'warn',
      detail: `cgroup v2, but ${missing.join(', ')} not enabled in /sys/fs/cgroup/cgroup.subtree_control: sandboxes' own engines cannot limit ${missing.join(', ')}`,
      fix: `enable them: echo "${missing.map((c) => `+${c}`).join(' ')}" > /sys/fs/cgroup/cgroup.subtree_control (systemd does this when the engine runs as a service with Delegate=yes)`,
    };
  return {
    id: 'cgroup',
    status: 'ok',
    detail: 'cgroup v2 with memory, pids and cpu delegated: sandboxes can enforce limits',
  };
}

/** The rootless profile's engine lives in a user namespace that an unprivileged user creates. */
export function checkUserNamespaces(config: Config): Finding {
  const max = Number(read('/proc/sys/user/max_user_namespaces') ?? 'NaN');
  const clone = read('/proc/sys/kernel/unprivileged_userns_clone');
  const apparmor = read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  const needed = config.sandbox.profile === 'rootless';
  const bad = (detail: string, fix: string): Finding => ({
    id: 'userns',
    status: needed ? 'fail' : 'warn',
    detail: needed ? detail : `${detail} (not needed by the dind profile)`,
    fix,
  });
  if (max === 0)
    return bad(
      'user namespaces are off (user.max_user_namespaces = 0): rootless sandboxes cannot start their engine',
      'sysctl -w user.max_user_namespaces=28633 (and in /etc/sysctl.d/ to keep it)',
    );
  if (clone === '0')
    return bad(
      'unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0)',
      'sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d/ to keep it)',
    );
  if (apparmor === '1')
    return {
      id: 'userns',
      status: 'warn',
      detail:
        'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1); sandboxes run unconfined, which the restriction may still affect',
      fix: 'if the probe sandbox below fails: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    };
  return {
    id: 'userns',
    status: 'ok',
    detail: `user namespaces allowed (max ${Number.isNaN(max) ? 'unknown' : max}${clone ? `, unprivileged_userns_clone ${clone}` : ''})`,
  };
}

/**
 * Subordinate ids: each sandbox maps its own range from its image's /etc/subuid
 * (images/sandbox/customize.sh); the host's file matters only to a rootless outer engine.
 */
export function checkSubordinateIds(info: EngineInfo | undefined): Finding {
  if (!info)
    return {
      id: 'subids',
      status: 'ok',
      detail:
        'not needed by sandboxes (they map user ids from their own image); whether the outer engine runs rootless, and needs them, is known once it answers',
    };
  const rootlessEngine = info.SecurityOptions?.some((o) => o.includes('rootless'));
  if (!rootlessEngine)
    return {
      id: 'subids',
      status: 'ok',
      detail:
        'not needed on the host: sandboxes map their user ids from their own image (engine:100000:65536), and the outer engine runs as root',
    };
  const user = userInfo().username;
  const ranges = (file: string) =>
    (read(file) ?? '')
      .split('\n')
      .filter((line) => line.startsWith(`${user}:`))
      .map((line) => Number(line.split(':')[2] ?? 0));
  const size = Math.max(0, ...ranges('/etc/subuid'), ...ranges('/etc/subgid'));
  // Inside a sandbox ids go up to 100000 + 65536: the outer rootless engine must map that many.
  const need = 165_536;
  return size >= need
    ? {
        id: 'subids',
        status: 'ok',
        detail: `rootless outer engine; ${user} has ${size} subordinate ids (needs ${need})`,
      }
    : {
        id: 'subids',
        status: 'fail',
        detail: `the outer engine is rootless and ${user || 'its user'} has ${size} subordinate ids; a sandbox uses ids up to ${need}`,
        fix: `usermod --add-subuids 200000-${200000 + need} --add-subgids 200000-${200000 + need} ${user || '<user>'}, then restart the engine`,
      };
}

/** Kernel numbers (major, minor) of the character devices a profile may pass in. */
const DEVICE_NUMBERS: Record<string, [number, number]> = {
  '/dev/net/tun': [10, 200],
  '/dev/fuse': [10, 229],
};

/** Linux's encoding of a device number (glibc's major() and minor()). */
const majorOf = (rdev: number) => Number((BigInt(rdev) >> 8n) & 0xfffn);
const minorOf = (rdev: number) =>
  Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xfff00n));

/**
 * The devices the rootless profile passes in (profiles.ts): present and the
 * kernel's own device is what matters; the sandbox copes with mode 0600.
 */
export function checkDevices(config: Config): Finding[] {
  const needed = config.sandbox.profile === 'rootless';
  return PROFILES.rootless.devices.map((path): Finding => {
    const id = `device:${path}`;
    const module = path === '/dev/net/tun' ? 'tun' : path.replace('/dev/', '');
    if (!existsSync(path))
      return {
        id,
        status: needed ? 'fail' : 'ok',
        detail: `${path} is missing${needed ? ': rootless sandboxes cannot start without it' : ''}`,
        fix: `modprobe ${module}`,
      };
    const stat = statSync(path);
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    const [major, minor] = DEVICE_NUMBERS[path] ?? [majorOf(stat.rdev), minorOf(stat.rdev)];
    if (!stat.isCharacterDevice() || majorOf(stat.rdev) !== major || minorOf(stat.rdev) !== minor)
      return {
        id,
        status: needed ? 'fail' : 'warn',
        detail: `${path} is not the kernel's device ${major}:${minor} (found ${stat.isCharacterDevice() ? `device ${majorOf(stat.rdev)}:${minorOf(stat.rdev)}` : 'no character device'}): something replaced it or is mounted over it`,
        fix: `umount ${path} if something is mounted over it; otherwise recreate it: mknod -m 0666 ${path} c ${major} ${minor}`,
      };
    return {
      id,
      status: 'ok',
      detail: `${path} present (mode ${mode}${mode === '0600' ? ': sandboxes give their own copy to their engine’s user' : ''})`,
    };
  });
}

/**
 * Memory for sandboxes, as admission counts it: each sandbox is limited to its memory plus
 * its disk (its engine's data is a tmpfs), and counts as at least that ÷ the overcommit.
 */
export function checkMemory(config: Config, info: EngineInfo | undefined): Finding {
  const total = info?.MemTotal ?? totalmem();
  // As admission counts them (admission/room.ts): each sandbox at least its limits ÷ the overcommit.
  const machine = machineFacts(config, { memTotalBytes: total });
  const per = machine.perSandboxBytes;
  const fit = Math.max(0, Math.floor((machine.memoryBudgetBytes ?? 0) / per));
  const planned =
    config.hostMemoryBytes !== undefined && config.hostMemoryBytes < total
      ? ` (DRYDOCK_HOST_MEMORY plans with ${formatBytes(config.hostMemoryBytes)})`
      : '';
  const room =
    fit > config.maxSandboxes
      ? `room for about ${fit}, of which DRYDOCK_MAX_SANDBOXES lets ${config.maxSandboxes} run at once`
      : `room for about ${fit} of DRYDOCK_MAX_SANDBOXES=${config.maxSandboxes}`;
  const detail = `${formatBytes(total)} total${planned}, ${formatBytes(freemem())} free now; a sandbox counts as ${formatBytes(per)} ((DRYDOCK_SANDBOX_MEMORY + DRYDOCK_SANDBOX_DISK) ÷ DRYDOCK_MEMORY_OVERCOMMIT=${config.memoryOvercommit}, more if it uses more) and ${formatBytes(config.hostReserve.memoryBytes)} is reserved: ${room}`;
  if (fit === 0)
    return {
      id: 'memory',
      status: 'fail',
      detail,
      fix: 'lower DRYDOCK_SANDBOX_MEMORY, DRYDOCK_SANDBOX_DISK or DRYDOCK_HOST_RESERVE_MEMORY, or add memory: no sandbox can start',
    };
  if (fit < config.maxSandboxes)
    return {
      id: 'memory',
      status: 'warn',
      detail,
      fix: `learners wait in line beyond about ${fit} sandboxes; set DRYDOCK_MAX_SANDBOXES=${fit} to say so, or add memory`,
    };
  return { id: 'memory', status: 'ok', detail };
}

/** Free disk where the engine keeps its data: below the reserve, new sandboxes wait. */
export async function checkDisk(config: Config, info: EngineInfo | undefined): Promise<Finding> {
  const dir = info?.DockerRootDir;
  if (!dir || !isLocalEngine(config.dockerHost))
    return {
      id: 'disk',
      status: 'warn',
      detail: dir
        ? `the engine is remote: free space in ${dir} cannot be measured from here`
        : 'no engine: the engine’s data directory is unknown',
      fix: dir
        ? 'check free space on the engine’s host yourself'
        : 'start the engine, then run doctor again',
    };
  try {
    const s = await statfs(dir);
    const free = s.bavail * s.bsize;
    const detail = `${formatBytes(free)} free in ${dir}; DRYDOCK_HOST_RESERVE_DISK is ${formatBytes(config.hostReserve.diskBytes)}`;
    if (free < config.hostReserve.diskBytes)
      return {
        id: 'disk',
        status: 'fail',
        detail: `${detail}: no new sandbox starts`,
        fix: 'free space (`drydock images prune`, `docker system df`), or lower DRYDOCK_HOST_RESERVE_DISK',
      };
    if (free < config.hostReserve.diskBytes + 2 * 1024 ** 3)
      return {
        id: 'disk',
        status: 'warn',
        detail: `${detail}: little room above the reserve`,
        fix: 'free space: `drydock images prune`',
      };
    return { id: 'disk', status: 'ok', detail };
  } catch (error) {
    return {
      id: 'disk',
      status: 'warn',
      detail: `cannot measure free space in ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      fix: 'run doctor as a user who can read the engine’s data directory (root)',
    };
  }
}

/** mmdebstrap builds the Debian-based images; only needed while one of them is missing. */
export function checkMmdebstrap(missingDebian: string[]): Finding {
  const found = spawnSync('mmdebstrap', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return { id: 'mmdebstrap', status: 'ok', detail: found.stdout.trim() };
  return missingDebian.length
    ? {
        id: 'mmdebstrap',
        status: 'fail',
        detail: `mmdebstrap is not installed, and ${missingDebian.join(', ')} must be built with it`,
        fix: 'apt-get install mmdebstrap (npm start does this as root on Debian), or `drydock images import` an archive from another host',
      }
    : {
        id: 'mmdebstrap',
        status: 'warn',
        detail:
          'mmdebstrap is not installed; every image it builds exists, so it is needed only after their inputs change',
        fix: 'apt-get install mmdebstrap',
      };
}

/**
 * jemalloc, which the server is started on where the loader can preload it
 * (docs/operating.md, "Memory"); `library` is the name the launcher preloads.
 */
export function checkJemalloc(library = 'libjemalloc.so.2'): Finding {
  // The loader names a library it cannot preload on stderr, and runs the program anyway.
  const run = spawnSync('/bin/true', { env: { LD_PRELOAD: library }, encoding: 'utf8' });
  return run.status === 0 && run.stderr === ''
    ? {
        id: 'jemalloc',
        status: 'ok',
        detail: `${library} loads: the server is started on jemalloc`,
      }
    : {
        id: 'jemalloc',
        status: 'warn',
        detail: `${library} cannot be preloaded: the server runs on the C library’s malloc, and holds about 3 MiB more idle and 5 more after busy terminals`,
        fix: 'apt-get install libjemalloc2 (npm start and `scripts/drydock setup` do this as root on Debian)',
      };
}

export const MIRROR = 'http://deb.debian.org/debian';

/** The Debian mirror mmdebstrap fetches from: its Release file for every suite the recipes use. */
export async function checkMirror(
  recipes: ImageRecipe[],
  missingDebian: string[],
): Promise<Finding[]> {
  const suites = [
    ...new Set(recipes.filter((r) => r.kind === 'debian').map((r) => r.spec.suite ?? 'trixie')),
  ];
  return Promise.all(
    suites.map(async (suite): Promise<Finding> => {
      const url = `${MIRROR}/dists/${suite}/Release`;
      try {
        const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(8000) });
        if (response.ok) return { id: `mirror:${suite}`, status: 'ok', detail: `${url} answers` };
        throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        const why = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
        return {
          id: `mirror:${suite}`,
          status: missingDebian.length ? 'fail' : 'warn',
          detail: `${url} does not answer (${why})${missingDebian.length ? `; needed to build ${missingDebian.join(', ')}` : '; needed only to rebuild images'}`,
          fix: 'allow HTTP to deb.debian.org (or a proxy: http_proxy), or `drydock images import` an archive made on a host with access',
        };
      }
    }),
  );
}

/** Each recipe's current build (the tag of its inputs' hash) exists in the engine. */
export async function checkImages(
  docker: Docker,
  config: Config,
  recipes: ImageRecipe[],
): Promise<Finding[]> {
  return Promise.all(
    recipes.map(async (recipe): Promise<Finding> => {
      try {
        const image = await docker.getImage(recipe.tag).inspect();
        return {
          id: `image:${recipe.slug}`,
          status: 'ok',
          detail: `${recipe.tag} is current (${formatBytes(image.Size)})`,
        };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        const never = config.buildImages === 'never';
        return {
          id: `image:${recipe.slug}`,
          status: never ? 'fail' : 'warn',
          detail: `${recipe.tag} is missing${never ? ' and DRYDOCK_BUILD_IMAGES=never' : ': the server builds it at start (minutes)'}`,
          fix: '`drydock images build` (or `drydock images import` an archive)',
        };
      }
    }),
  );
}

/** The last lines a probe sandbox logged (its engine's complaints), before it is removed. */
async function sandboxLogTail(docker: Docker, owner: string): Promise<string> {
  const [container] = await docker.listContainers({ all: true, filters: ownerFilter(owner) });
  if (!container) return '';
  // An interrupted doctor may be removing the sandbox already (409, 404): no log then.
  const raw = await docker
    .getContainer(container.Id)
    .logs({ stdout: true, stderr: true, tail: 8, follow: false })
    .catch(() => Buffer.alloc(0));
  return demuxLog(raw).trim();
}

/** A probe takes at most about 90 s: one this old was left by a doctor that was killed. */
const STALE_PROBE_MS = 10 * 60_000;
/**
 * Probe sandboxes are owned by `doctor-<pid namespace>-<pid>-<random>` (earlier
 * versions: `doctor-<random>`): a pid says something only in its own namespace (a
 * doctor in the server's container and one on the host share an engine, not pids).
 */
const PROBE_OWNER = /^doctor-(?:(\d+)-(\d+)-)?[0-9a-f]+$/;
const PID_NAMESPACE = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the probe sandboxes of doctors that were killed before they could
 * (SIGKILL, a closed terminal): no server owns them, so nothing else ever
 * would. A probe of a doctor still running is left alone: its process is alive
 * (an engine on this host, a doctor in this pid namespace) or it is younger than
 * STALE_PROBE_MS.
 */
export async function removeStaleProbes(docker: Docker, config: Config): Promise<number> {
  const local = isLocalEngine(config.dockerHost);
  const listed = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  const stale = listed.filter((c) => {
    const owner = PROBE_OWNER.exec(c.Labels[LABEL.owner] ?? '');
    if (!owner) return false;
    const [, namespace, pid] = owner;
    if (local && namespace === PID_NAMESPACE && processGone(Number(pid))) return true;
    const createdAt = Date.parse(c.Labels[LABEL.createdAt] ?? '');
    return !Number.isNaN(createdAt) && Date.now() - createdAt > STALE_PROBE_MS;
  });
  await Promise.all(
    stale.map((c) => ignoreGone(docker.getContainer(c.Id).remove({ force: true, v: true }))),
  );
  return stale.length;
}

/** A real probe sandbox, started as the server would, and what its engine can enforce. */
export async function checkProbeSandbox(
  docker: Docker,
  config: Config,
  sandboxImage: string,
  log: FastifyBaseLogger,
): Promise<Finding> {
  const swept = await removeStaleProbes(docker, config).catch(() => 0);
  const sweptNote = swept
    ? `; removed ${swept} probe sandbox${swept === 1 ? '' : 'es'} that a killed doctor left behind`
    : '';
  const owner = `doctor-${PID_NAMESPACE}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const provider = new DockerSandboxProvider(docker, {
    image: sandboxImage,
    owner,
    ...config.sandbox,
  });
  // A fresh state dir: the server's cached answer would skip the real start this check is about.
  const scratch = mkdtempSync(join(tmpdir(), 'drydock-doctor-'));
  const started = Date.now();
  const undo = onInterrupt(() => provider.removeAll());
  try {
    const features = await probeFeatures(
      provider,
      { image: sandboxImage, profile: config.sandbox.profile, engine: 'doctor' },
      scratch,
      log,
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return features.has('memory-limits')
      ? {
          id: 'probe',
          status: 'ok',
          detail: `a ${config.sandbox.profile} sandbox started in ${seconds} s; its engine enforces memory limits${sweptNote}`,
        }
      : {
          id: 'probe',
          status: 'warn',
          detail: `a ${config.sandbox.profile} sandbox started in ${seconds} s, but its engine cannot enforce memory limits (cgroup driver none): labs that require them are unavailable${sweptNote}`,
          fix: 'a cgroup v2 host with delegation (see cgroup above); or DRYDOCK_SANDBOX_PROFILE=dind for a server only you use',
        };
  } catch (error) {
    const tail = await sandboxLogTail(docker, owner);
    return {
      id: 'probe',
      status: 'fail',
      detail: `a ${config.sandbox.profile} sandbox did not start: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}${tail ? `\n  its log ends with:\n${tail.replace(/^/gm, '    ')}` : ''}`,
      fix: 'its log says why; the items marked warn or fail above are the usual causes (devices, user namespaces, cgroups)',
    };
  } finally {
    undo();
    await provider.removeAll().catch(() => 0);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Isolation profiles: what a sandbox container may do on the host, and what its
 * inner engine can therefore offer labs. docs/isolation.md says why each right
 * is there; `rootless` is the only profile a server beyond loopback may use.
 */
import type Docker from 'dockerode';

export type ProfileName = 'rootless' | 'dind';

/**
 * Host devices a rootless sandbox's engine needs: slirp4netns's tap device gives the
 * inner containers a network that leads nowhere (the sandbox has no interface but
 * loopback). Listed once: the container gets them, and the entrypoint
 * (images/sandbox/rootfs/usr/lib/drydock/entrypoint) gives its own copies to the
 * engine's user, whatever mode the host's nodes have, without changing those.
 */
const ROOTLESS_DEVICES = ['/dev/net/tun'];

export interface Profile {
  /** User that exec'd processes start as, before /usr/lib/drydock/enter takes them in. */
  user: string;
  /** Environment of the sandbox container (and so of every exec in it). */
  env: Record<string, string>;
  /** Host devices passed in, usable by the sandbox's engine user. */
  devices: string[];
  /** One line for the log and the status API. */
  summary: string;
  /** True if a learner holds root-equivalent rights on the host. */
  rootEquivalent: boolean;
}

export const PROFILES: Record<ProfileName, Profile> = {
  rootless: {
    user: '1000:1000',
    env: { DRYDOCK_PROFILE: 'rootless', DRYDOCK_DEVICES: ROOTLESS_DEVICES.join(' ') },
    devices: ROOTLESS_DEVICES,
    summary:
      'rootless: each sandbox’s engine runs in a user namespace of its own; learners hold no capability on the host',
    rootEquivalent: false,
  },
  dind: {
    user: 'root',
    env: { DRYDOCK_PROFILE: 'dind' },
    // Root in the sandbox, with every device allowed (DeviceCgroupRules below).
    devices: [],
    summary:
      'dind: capability Docker-in-Docker; a learner is root-equivalent on the host (for one person on their own machine)',
    rootEquivalent: true,
  },
};

export interface Limits {
  memoryBytes: number;
  diskBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

/**
 * Environment of a sandbox container: the profile's, and the CPUs its engine may
 * plan for (the limit rounded up), which the entrypoint gives the engine's Go
 * programs as GOMAXPROCS.
 */
export function sandboxEnv(profile: ProfileName, limits: Limits): Record<string, string> {
  return {
    ...PROFILES[profile].env,
    DRYDOCK_ENGINE_PROCS: String(Math.max(1, Math.ceil(limits.nanoCpus / 1e9))),
  };
}

const MiB = 1024 ** 2;

/**
 * The sandbox's root file system is read-only; everything it can write is a
 * tmpfs with a size and an inode cap, and tmpfs pages count against the
 * container's memory limit. So memory + disk is one hard ceiling per sandbox,
 * whatever the learner fills.
 */
function writablePlaces(limits: Limits, owner: string): Record<string, string> {
  const opts = (size: number, inodes: number, extra = '') =>
    `rw,nosuid,nodev,size=${size},nr_inodes=${inodes}${extra}`;
  return {
    '/run': opts(64 * MiB, 16_384, ',mode=755'),
    '/tmp': opts(Math.max(512 * MiB, Math.round(limits.diskBytes / 4)), 65_536, ',exec,mode=1777'),
    '/root': opts(256 * MiB, 65_536, `,exec,mode=700${owner}`),
    '/var/lib/docker': opts(limits.diskBytes, 1_000_000, `,exec,mode=700${owner}`),
    // Where labs install their own services and tools, as on a real host.
    '/srv': opts(256 * MiB, 65_536, `,exec,mode=755${owner}`),
    '/opt': opts(256 * MiB, 65_536, `,exec,mode=755${owner}`),
    '/usr/local': opts(256 * MiB, 65_536, `,exec,mode=755${owner}`),
  };
}

function common(limits: Limits) {
  return {
    NetworkMode: 'none',
    ReadonlyRootfs: true,
    Memory: limits.memoryBytes + limits.diskBytes,
    MemorySwap: limits.memoryBytes + limits.diskBytes,
    NanoCpus: limits.nanoCpus,
    PidsLimit: limits.pidsLimit,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
  };
}

export function hostConfigFor(profile: ProfileName, limits: Limits): Docker.HostConfig {
  if (profile === 'rootless') {
    return {
      ...common(limits),
      Tmpfs: writablePlaces(limits, ',uid=1000,gid=1000'),
      // Only the sandbox's init uses these: newuidmap needs SYS_ADMIN, SETUID,
      // SETGID and DAC_OVERRIDE to map the engine's user namespace. Every other
      // process starts as uid 1000 and enters that namespace at once.
      CapDrop: ['ALL'],
      CapAdd: ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'SYS_ADMIN'],
      // rootlesskit mounts a fresh /proc for the engine's PID namespace, which the
      // kernel refuses while parts of the outer /proc are masked; seccomp and
      // AppArmor's default profiles forbid the user namespace's mounts.
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      MaskedPaths: [],
      ReadonlyPaths: [],
      Devices: PROFILES.rootless.devices.map((path) => ({
        PathOnHost: path,
        PathInContainer: path,
        CgroupPermissions: 'rwm',
      })),
    };
  }
  return {
    ...common(limits),
    // Root-equivalent anyway: a writable root file system lets labs that edit /etc
    // and /var/log run as written.
    ReadonlyRootfs: false,
    Tmpfs: writablePlaces(limits, ''),
    CgroupnsMode: 'private',
    CapAdd: ['ALL'],
    CapDrop: ['SYS_RESOURCE'],
    SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
    MaskedPaths: [],
    ReadonlyPaths: [],
    DeviceCgroupRules: ['a *:* rwm'],
  } as Docker.HostConfig;
}

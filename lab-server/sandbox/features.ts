/**
 * Which lab requirements (lab-format/features.ts) this server's sandboxes meet,
 * measured rather than assumed: whether a rootless engine can enforce memory
 * limits depends on the host's cgroup version and delegation, which only a real
 * sandbox can tell. The answer is cached per sandbox image, profile and engine,
 * so only the first start with a new image pays for the probe (a few seconds).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { FEATURE_NAMES, type Feature } from '../../lab-format/features.ts';
import type { SandboxProvider } from './sandbox.ts';

export interface FeatureProbeKey {
  image: string;
  profile: string;
  /** The outer engine's ID and cgroup version: another host, another answer. */
  engine: string;
}

const PROBE_TIMEOUT_MS = 90_000;

/** What one probe sandbox showed; an answer it could not get is not remembered. */
async function measure(
  provider: SandboxProvider,
): Promise<{ found: Set<Feature>; conclusive: boolean }> {
  // In no store: a server restarted mid-probe removes it as serving nobody.
  const sandbox = await provider.create({ lab: '-', createdAt: new Date(), seed: '' });
  try {
    await sandbox.waitUntilReady(PROBE_TIMEOUT_MS);
    const found = new Set<Feature>();
    // "none" is what a rootless engine reports when it cannot create cgroups: it
    // then accepts `--memory` and enforces nothing.
    const info = await sandbox.exec(['docker', 'info', '--format', '{{.CgroupDriver}}'], {
      as: 'check',
      timeoutMs: 15_000,
    });
    const driver = info.exitCode === 0 ? info.output.trim() : '';
    if (driver !== '' && driver !== 'none') found.add('memory-limits');
    return { found, conclusive: driver !== '' };
  } finally {
    await sandbox.remove();
  }
}

export async function probeFeatures(
  provider: SandboxProvider,
  key: FeatureProbeKey,
  stateDir: string,
  log: FastifyBaseLogger,
): Promise<Set<Feature>> {
  const file = join(stateDir, 'features.json');
  const id = `${key.image} ${key.profile} ${key.engine}`;
  const cache = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>)
    : {};
  const known = cache[id]?.filter((name): name is Feature =>
    (FEATURE_NAMES as string[]).includes(name),
  );
  if (known) return new Set(known);
  log.info(
    'measuring what this host’s sandboxes provide (one sandbox, a few seconds, once per image)',
  );
  // A sandbox that dies while starting throws here: nothing is cached, and the next
  // attempt (backend/docker-backend.ts retries) measures again.
  const { found, conclusive } = await measure(provider);
  if (!conclusive) {
    log.warn(
      'the probe sandbox’s engine did not say its cgroup driver: measuring again next start',
    );
    return found;
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...cache, [id]: [...found] }, null, 2));
  return found;
}

/**
 * Starts the real lab server against the machine's Docker engine for a test,
 * under an owner label of its own, and checks that it leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import { type AppParts, buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { ownerFilter } from '../../lab-server/labels.ts';
import type { SessionManager } from '../../lab-server/sessions/session-manager.ts';
import { NO_ENGINE } from './fake-sandbox.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * Where labs/ and images/ are read from: the repository, or DRYDOCK_ROOT when a
 * lab author tests labs kept elsewhere (see docs/writing-labs.md).
 */
export const LABS_ROOT = process.env.DRYDOCK_ROOT ?? ROOT;
/**
 * The session store of the servers tests start (in process or as a child):
 * DRYDOCK_TEST_STORE_URL (run-tests.ts points some lanes at PostgreSQL), else an
 * SQLite file of the test runs' own, apart from the one `npm start` uses. Each
 * test server has an owner of its own, so they share it without meeting. The
 * file is the checkout's: another checkout on the machine (a branch with a
 * migration this one lacks) would otherwise migrate it under this one's feet.
 */
export const TEST_STORE_URL =
  process.env.DRYDOCK_TEST_STORE_URL ??
  `sqlite:${join(ROOT, '.drydock', 'test-store', 'store.sqlite')}`;

export interface TestPlatform {
  app: FastifyInstance;
  owner: string;
  sessions: SessionManager;
  /** http://127.0.0.1:<port> when started with listen. */
  url: string;
  close(): Promise<void>;
}

/** Owner label of a test's sandboxes; the pid lets `npm test` tell a dead run's leftovers from a live run's. */
export function newOwner(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export async function startPlatform(
  env: Record<string, string> = {},
  /**
   * `port`: listen on this one (a restarted server at the same address, where the page
   * kept its session); `parts`: injected into the app (a clock a test moves).
   */
  options: { listen?: boolean; port?: number; parts?: AppParts } = {},
): Promise<TestPlatform> {
  const owner = env.DRYDOCK_OWNER ?? newOwner();
  // Tests remove what they made when they close, unless a test keeps sandboxes on purpose.
  const config = loadConfig({
    DRYDOCK_ROOT: LABS_ROOT,
    DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_TEST_LOG ?? 'silent',
    DRYDOCK_SHUTDOWN: 'remove',
    DRYDOCK_DATABASE_URL: TEST_STORE_URL,
    // No warm pools unless a test asks: a pool following a test's demand would set
    // up sandboxes nobody claims, and count in what tests measure.
    DRYDOCK_WARM_MAX: '0',
    // Passed on: a shared engine needs `keep` (docs/operating.md), or one test run removes another's images.
    ...(process.env.DRYDOCK_OLD_IMAGES
      ? { DRYDOCK_OLD_IMAGES: process.env.DRYDOCK_OLD_IMAGES }
      : {}),
    ...env,
    DRYDOCK_OWNER: owner,
  });
  const app = await buildApp(config, options.parts ? { parts: options.parts } : {});
  let url = '';
  if (options.listen) url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  else await app.ready();
  const status = await app.backend.whenSettled();
  assert.equal(
    status.state,
    'ready',
    `labs must be available for engine tests, got: ${status.reason}`,
  );
  return { app, owner, sessions: app.sessions, url, close: () => app.close() };
}

/** The real server with no engine to reach: it serves the site, and lab pages say labs are unavailable. */
export async function serveSiteWithoutEngine(): Promise<{
  app: Awaited<ReturnType<typeof buildApp>>;
  url: string;
}> {
  const app = await buildApp(
    loadConfig({
      DRYDOCK_ROOT: ROOT,
      DOCKER_HOST: NO_ENGINE,
      DRYDOCK_LOG_LEVEL: 'silent',
      DRYDOCK_DATABASE_URL: 'sqlite::memory:',
    }),
  );
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

/** Lists every container, volume and network carrying this owner's labels. */
export async function leftovers(owner: string): Promise<string[]> {
  const docker = new Docker();
  const filters = ownerFilter(owner);
  const containers = await docker.listContainers({ all: true, filters });
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  const networks = await docker.listNetworks({ filters });
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...(volumes ?? []).map((v) => `volume ${v.Name}`),
    ...networks.map((n) => `network ${n.Name}`),
  ];
}

export async function assertNothingLeft(owner: string): Promise<void> {
  assert.deepEqual(await leftovers(owner), [], 'the platform left resources behind');
}

/** The lab server as a real process (its bundle, as `drydock start` runs it), for tests that kill it. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ensureServerBundle, SERVER_BUNDLE } from '../../scripts/build-server.ts';
import { ROOT, TEST_STORE_URL } from './platform.ts';

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, null>;
  url: string;
  /** Everything the server logged so far (pino JSON lines). */
  log(): string;
  /** SIGKILL, as a crash or an OOM kill of the server would; resolves when it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, as an operator stops it (DRYDOCK_SHUTDOWN says what becomes of sandboxes); resolves when it is gone. */
  stop(): Promise<void>;
}

/** The Node arguments before the bundle, as `scripts/drydock start` passes them (test/unit/server-start.test.ts). */
export const SERVER_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--v8-pool-size=1',
  '--single-threaded',
  '--optimize-for-size',
  '--no-sparkplug',
  '--bytecode-old-age=1',
  '--no-node-snapshot',
];
/**
 * The environment `scripts/drydock start` adds for the server: jemalloc with its
 * settings (`npm test` installs it), and one arena for glibc's malloc should the
 * loader not find it.
 */
export const SERVER_MALLOC_ENV = {
  LD_PRELOAD: 'libjemalloc.so.2',
  MALLOC_CONF: 'narenas:1,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
  MALLOC_ARENA_MAX: '1',
};

export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 600_000,
): Promise<ServerProcess> {
  await ensureServerBundle();
  const testDefaults = {
    DRYDOCK_PORT: '0',
    DRYDOCK_LOG_LEVEL: 'info',
    DRYDOCK_DATABASE_URL: TEST_STORE_URL,
    DRYDOCK_WARM_MAX: '0',
  };
  return spawnBundle(SERVER_BUNDLE, { ...testDefaults, ...env }, /"labs ready/, timeoutMs);
}

/**
 * Runs a bundled server with the lab server's Node flags and malloc setting
 * (the terminal bench's stack floor is one) until its log matches `ready`; its
 * URL is where Fastify says it listens.
 */
export async function spawnBundle(
  bundle: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs: number,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, bundle], {
    cwd: ROOT,
    env: { ...process.env, ...SERVER_MALLOC_ENV, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const kill9 = () => signal('SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await kill9();
      throw new Error(`the server did not get ready; its log:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    kill9,
    stop: () => signal('SIGTERM'),
  };
}

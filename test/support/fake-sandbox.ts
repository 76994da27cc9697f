/**
 * The real app with an in-memory sandbox provider: sessions become ready at
 * once and their "shell" echoes what it is sent. For tests of the HTTP and
 * WebSocket layers that must run in seconds and without an engine.
 */
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import type { Sandbox, SandboxProvider, SandboxSpec } from '../../lab-server/sandbox/sandbox.ts';
import { SessionManager } from '../../lab-server/sessions/session-manager.ts';
import { GOOD_MANIFEST, tempRoot } from './temp-lab.ts';

/** No engine listens here: the admission check falls back to counting sandboxes. */
export const NO_ENGINE = 'unix:///nonexistent/docker.sock';

export class FakeProvider implements SandboxProvider {
  readonly live = new Set<string>();
  created = 0;

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const id = `fake-${++this.created}-${spec.sessionId}`;
    this.live.add(id);
    return this.sandbox(id);
  }

  private sandbox(id: string): Sandbox {
    return {
      id,
      exec: async (_cmd, options) => {
        if (options.stdin) {
          const input: Readable = options.stdin;
          input.resume();
          await finished(input);
        }
        return { exitCode: 0, output: '', timedOut: false, truncated: false };
      },
      openTerminal: async () => {
        const stream = new PassThrough();
        return { stream, resize: async () => {}, detach: () => void stream.end() };
      },
      waitUntilReady: async () => {},
      markReady: async () => {},
      isReady: async () => this.live.has(id),
      detachTerminals: async () => {},
      inspect: async () => ({ running: this.live.has(id), oomKilled: false }),
      cpuSeconds: async () => 0,
      remove: async () => void this.live.delete(id),
    };
  }

  async adopt(id: string): Promise<Sandbox> {
    return this.sandbox(id);
  }

  watch() {
    return { close: () => {}, drop: () => {} };
  }

  async list() {
    return [];
  }

  async removeAll(): Promise<number> {
    const n = this.live.size;
    this.live.clear();
    return n;
  }
}

export interface FakePlatform {
  app: FastifyInstance;
  provider: FakeProvider;
  close: () => Promise<void>;
}

/** Builds the app as server.ts does (with `env`), then gives it a session manager backed by FakeProvider. */
export async function startFakePlatform(
  env: Record<string, string> = {},
  options: { logger?: object } = {},
): Promise<FakePlatform> {
  const root = tempRoot();
  root.writeLab('tiny-lab', { ...GOOD_MANIFEST, images: [] });
  const config = loadConfig({
    DRYDOCK_ROOT: root.root,
    DOCKER_HOST: NO_ENGINE,
    DRYDOCK_OWNER: 'unit',
    DRYDOCK_LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp(config, { logger: options.logger ?? false });
  await app.ready();
  await app.platform.whenSettled(5000);
  const provider = new FakeProvider();
  const sessions = new SessionManager({
    provider,
    limits: config,
    imagesFor: async () => [],
    findLab: (slug) => app.platform.lab(slug),
    log: app.log,
    signals: app.signals,
  });
  await sessions.start();
  app.platform.sessions = sessions;
  return {
    app,
    provider,
    close: async () => {
      await app.close();
      root[Symbol.dispose]();
    },
  };
}

/**
 * The real app with an in-memory sandbox provider: sessions become ready at
 * once and their "shell" echoes what it is sent. For tests of the HTTP and
 * WebSocket layers that must run in seconds and without an engine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';
import { type Duplex, PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { PortClosedError } from '../../lab-server/sandbox/port-forwarder.ts';
import type {
  ExecResult,
  Sandbox,
  SandboxProvider,
  SandboxSpec,
} from '../../lab-server/sandbox/sandbox.ts';
import {
  type LabsStatus,
  type PreparedBackend,
  type SandboxBackend,
  settled,
} from '../../lab-server/backend/sandbox-backend.ts';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { CreatedSessionSchema, type CreatedSession } from '../../protocol/session.ts';
import { GOOD_MANIFEST, tempRoot } from './temp-lab.ts';

/** No engine listens here: the admission check falls back to counting sandboxes. */
export const NO_ENGINE = 'unix:///nonexistent/docker.sock';

export class FakeProvider implements SandboxProvider {
  readonly live = new Set<string>();
  /** What each sandbox was made for (its labels). */
  readonly specs = new Map<string, SandboxSpec>();
  /** Sandboxes still at a background CPU weight (warm, not yet claimed). */
  readonly background = new Set<string>();
  created = 0;
  /**
   * What listens in each sandbox: sandbox id → its port → a real port on this
   * machine's loopback that stands for it (a preview test's web server).
   */
  readonly ports = new Map<string, Map<number, number>>();
  /** Connections opened into sandboxes' ports so far. */
  portConnections = 0;
  /** Connections into sandboxes' ports being opened now (a real one is an exec, ~150 ms). */
  portConnectsPending = 0;
  /** How long opening a connection into a port takes; 0 by default. */
  portConnectDelayMs = 0;
  /** Awaited by every create: a test holds sandboxes "starting" until it resolves. */
  gate: Promise<void> = Promise.resolve();
  /**
   * Answers an exec in place of the default (exit 0, no output) when it returns a
   * result: a test makes a lab script fail, or holds it, by its command line.
   */
  onExec: ((cmd: string[]) => Promise<ExecResult | undefined>) | undefined;
  /** Each sandbox's shells by terminal number, with the streams attached to each. */
  readonly shells = new Map<string, Map<number, Set<PassThrough>>>();
  /** Sandboxes paused now; like a real one, a paused sandbox resumes before anything enters it. */
  readonly paused = new Set<string>();
  /** When each sandbox last resumed. */
  readonly resumedAt = new Map<string, number>();
  /** CPU seconds each sandbox has used, as a test says (0 otherwise). */
  readonly cpu = new Map<string, number>();

  private resume(id: string): void {
    if (this.paused.delete(id)) this.resumedAt.set(id, Date.now());
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    await this.gate;
    // Unique like a container id: tests on one PostgreSQL share the sandboxes table.
    const id = `fake-${++this.created}-${spec.lab}-${randomBytes(4).toString('hex')}`;
    this.live.add(id);
    this.specs.set(id, spec);
    if (spec.priority === 'background') this.background.add(id);
    return this.sandbox(id);
  }

  private shellsOf(id: string): Map<number, Set<PassThrough>> {
    let shells = this.shells.get(id);
    if (!shells) this.shells.set(id, (shells = new Map([[1, new Set()]])));
    return shells;
  }

  private sandbox(id: string): Sandbox {
    const { paused, resumedAt } = this;
    return {
      id,
      get paused() {
        return paused.has(id);
      },
      get resumedAt() {
        return resumedAt.get(id) ?? 0;
      },
      pause: async () => void this.paused.add(id),
      resume: async () => this.resume(id),
      exec: async (cmd, options) => {
        this.resume(id);
        const answer = await this.onExec?.(cmd);
        if (answer) return answer;
        if (options.stdin) {
          const input: Readable = options.stdin;
          input.resume();
          await finished(input);
        }
        return { exitCode: 0, output: '', timedOut: false, truncated: false };
      },
      openPort: (port) => {
        this.resume(id);
        const target = this.ports.get(id)?.get(port);
        if (target === undefined)
          return Promise.reject(new PortClosedError(port, 'Connection refused'));
        this.portConnections++;
        this.portConnectsPending++;
        return new Promise<Duplex>((resolve, reject) => {
          setTimeout(() => {
            const socket = connect({ host: '127.0.0.1', port: target });
            socket.once('connect', () => resolve(socket));
            socket.once('error', reject);
          }, this.portConnectDelayMs);
        }).finally(() => this.portConnectsPending--);
      },
      listeningPorts: async () => [...(this.ports.get(id)?.keys() ?? [])].sort((a, b) => a - b),
      openTerminal: async ({ cols, rows, terminal = 1 }) => {
        this.resume(id);
        const stream = new PassThrough();
        const shells = this.shellsOf(id);
        // Like `tmux new-session -A`: attaching starts the shell if it does not run.
        if (!shells.has(terminal)) shells.set(terminal, new Set());
        shells.get(terminal)!.add(stream);
        stream.on('close', () => shells.get(terminal)?.delete(stream));
        return {
          stream,
          resize: async () => {},
          detach: () => void stream.end(),
          paneSize: () => ({ cols, rows }),
          onPaneSize: () => () => {},
          allowKeys: () => {},
        };
      },
      waitUntilReady: async () => {},
      markReady: async () => {},
      startShell: async () => {},
      saveEngineState: async (out) => void out.end(),
      restoreEngineState: async (archive) => {
        archive.resume();
        await finished(archive);
      },
      isReady: async () => this.live.has(id),
      detachTerminals: async () => {},
      listShells: async () => [...this.shellsOf(id).keys()].map((terminal) => ({ terminal })),
      openShell: async (terminal) => {
        if (!this.shellsOf(id).has(terminal)) this.shellsOf(id).set(terminal, new Set());
      },
      closeShell: async (terminal) => {
        const streams = this.shellsOf(id).get(terminal);
        this.shellsOf(id).delete(terminal);
        for (const stream of streams ?? []) stream.end();
      },
      inspect: async () => ({ running: this.live.has(id), oomKilled: false }),
      cpuSeconds: async () => this.cpu.get(id) ?? 0,
      // No engine inside: nothing ever changes.
      followEngine: () => ({ close: () => {} }),
      raisePriority: async () => void this.background.delete(id),
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
    return [...this.live].map((id) => {
      const spec = this.specs.get(id);
      return {
        id,
        running: true,
        labels: spec
          ? {
              lab: spec.lab,
              seed: spec.seed,
              createdAt: spec.createdAt.toISOString(),
              ...(spec.labVersion ? { labVersion: spec.labVersion } : {}),
            }
          : {},
      };
    });
  }

  async removeAll(keep: ReadonlySet<string> = new Set()): Promise<number> {
    let n = 0;
    for (const id of this.live)
      if (!keep.has(id)) {
        this.live.delete(id);
        n++;
      }
    return n;
  }
}

/** A backend that is prepared at once and hands out FakeProvider's sandboxes. */
export class FakeBackend implements SandboxBackend {
  status: LabsStatus = { available: false, state: 'checking' };
  readonly provider: FakeProvider;

  private readonly held: boolean;

  /** `held`: never prepared, as a server whose engine is still starting. */
  constructor(provider = new FakeProvider(), options: { held?: boolean } = {}) {
    this.provider = provider;
    this.held = options.held ?? false;
  }

  start(onPrepared: (prepared: PreparedBackend) => Promise<void>): void {
    if (this.held) return;
    void onPrepared({
      provider: this.provider,
      imagesFor: async () => [],
      engineStateFor: async () => undefined,
    }).then(
      () => (this.status = { available: true, state: 'ready' }),
      (error: Error) =>
        (this.status = { available: false, state: 'unavailable', reason: error.message }),
    );
  }

  whenSettled(timeoutMs = 5000): Promise<LabsStatus> {
    return settled(this, timeoutMs);
  }

  async close(): Promise<void> {}
}

export interface FakePlatform {
  app: FastifyInstance;
  /** The backend the app was given (its `status` may be set to what a test needs). */
  backend: FakeBackend;
  provider: FakeProvider;
  close: () => Promise<void>;
}

/** Builds the app as server.ts does (with `env`), with FakeBackend injected and an in-memory store. */
export async function startFakePlatform(
  env: Record<string, string> = {},
  options: {
    logger?: object;
    /** A store the test keeps across a restart (it closes it). */
    store?: SessionStore;
    /** Sandboxes that outlive one app, as containers outlive a server. */
    provider?: FakeProvider;
    /** tiny-lab's setup.sh (another one makes another version of the lab). */
    setup?: string;
    /** Also serve `other-lab`, a copy of tiny-lab. */
    otherLab?: boolean;
    /** Labs never become available (the backend is never prepared). */
    held?: boolean;
    /** Files of a built site to serve (path under dist/ → content): a stand-in for `astro build`. */
    site?: Record<string, string | Buffer>;
  } = {},
): Promise<FakePlatform> {
  const root = tempRoot();
  const files = {
    'setup.sh': options.setup ?? 'true',
    'solve.sh': 'true',
    'checks/web-runs.sh': 'false',
    'wrong-fixes/stopped.sh': 'true',
  };
  root.writeLab('tiny-lab', { ...GOOD_MANIFEST, images: [] }, files);
  if (options.otherLab) root.writeLab('other-lab', { ...GOOD_MANIFEST, images: [] }, files);
  for (const [path, content] of Object.entries(options.site ?? {})) {
    const file = join(root.root, 'dist', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const config = loadConfig({
    DRYDOCK_ROOT: root.root,
    DOCKER_HOST: NO_ENGINE,
    DRYDOCK_OWNER: `unit-${randomBytes(4).toString('hex')}`,
    DRYDOCK_LOG_LEVEL: 'silent',
    // Each fake platform its own empty store, unless a lane runs them against PostgreSQL.
    DRYDOCK_DATABASE_URL: process.env.DRYDOCK_TEST_STORE_URL ?? 'sqlite::memory:',
    ...env,
  });
  const backend = new FakeBackend(options.provider, { held: options.held ?? false });
  const app = await buildApp(config, {
    logger: options.logger ?? false,
    parts: { backend, ...(options.store ? { store: options.store } : {}) },
  });
  await app.ready();
  if (!options.held) await app.backend.whenSettled(5000);
  return {
    app,
    backend,
    provider: backend.provider,
    close: async () => {
      await app.close();
      root[Symbol.dispose]();
    },
  };
}

/** Starts a session of tiny-lab, as a browser does, and waits until its sandbox is provisioned. */
export async function startTinyLab(app: FastifyInstance): Promise<CreatedSession> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    payload: { lab: 'tiny-lab' },
  });
  if (res.statusCode !== 201) throw new Error(`POST /api/sessions: ${res.statusCode} ${res.body}`);
  const session = CreatedSessionSchema.parse(res.json());
  await app.sessions.get(session.id, session.token).provisioned;
  return session;
}

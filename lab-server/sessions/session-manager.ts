/**
 * Creates, finds, extends and ends sessions; removes sandboxes that were
 * abandoned (idle timeout) or ran out of time (hard limit); adopts the live
 * sandboxes of a previous run; ends sessions whose sandbox the engine ended.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { AppError } from '../errors.ts';
import type { Signals, StartPhase } from '../signals.ts';
import type { SandboxEvent, SandboxProvider } from '../sandbox/sandbox.ts';
import { adoptSandboxes } from './adoption.ts';
import type { ExtensionStore } from './extension-store.ts';
import { type LabImage, LabRunner } from './lab-runner.ts';
import { END_MESSAGES, type EndReason } from '../../protocol/end-reasons.ts';
import { hashToken, Session } from './session.ts';

export interface SessionLimits {
  idleTimeoutMs: number;
  sessionLimitMs: number;
  maxSandboxes: number;
  setupTimeoutMs: number;
  /** Terminal WebSockets one session may have open at once. */
  terminalsPerSession: number;
  /** Time one extension adds; 0 disables extensions. */
  extensionMs: number;
  maxExtensions: number;
  /** What shutdown does with running sandboxes: keep them for the next start, or remove them. */
  shutdown: 'keep' | 'remove';
}

/** How long an ended session's id and reason are remembered, so that its learner learns why. */
const ENDED_MEMORY_MS = 30 * 60_000;

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly provider: SandboxProvider;
  private readonly limits: SessionLimits;
  private readonly imagesFor: (lab: Lab) => Promise<LabImage[]>;
  private readonly log: FastifyBaseLogger;
  private readonly findLab: (slug: string) => Lab | undefined;
  private readonly store: ExtensionStore | undefined;
  private readonly signals: Signals | undefined;
  private reaper: NodeJS.Timeout | undefined;
  /** The engine events watcher; `drop()` is for tests. */
  events: { close(): void; drop(): void } | undefined;

  constructor(opts: {
    provider: SandboxProvider;
    limits: SessionLimits;
    imagesFor: (lab: Lab) => Promise<LabImage[]>;
    findLab: (slug: string) => Lab | undefined;
    store?: ExtensionStore;
    log: FastifyBaseLogger;
    /** Where starts, ready times and ends are reported (metrics). */
    signals?: Signals;
  }) {
    this.provider = opts.provider;
    this.limits = opts.limits;
    this.imagesFor = opts.imagesFor;
    this.findLab = opts.findLab;
    this.store = opts.store;
    this.log = opts.log;
    this.signals = opts.signals;
  }

  /**
   * Adopts the live sandboxes a previous run left (their learners reconnect with
   * their tokens) and removes the rest; then starts the reaper and the engine watcher.
   */
  async start(): Promise<void> {
    const { adopted, ended } = await adoptSandboxes({
      provider: this.provider,
      findLab: this.findLab,
      store: this.store,
      log: this.log,
    });
    for (const session of adopted) this.sessions.set(session.id, session);
    for (const session of ended) this.remember(session);
    this.store?.retain(new Set(adopted.map((s) => s.id)));
    // Short limits (tests, demos) are honoured promptly; normal ones are checked every 5 s.
    const every = Math.max(
      250,
      Math.min(5000, this.limits.idleTimeoutMs / 3, this.limits.sessionLimitMs / 3),
    );
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
    this.events = this.provider.watch(
      (event) => this.onSandboxEvent(event),
      () => void this.reconcile(),
    );
  }

  /** The engine ended (or OOM-killed in) one of our containers. */
  private onSandboxEvent(event: SandboxEvent): void {
    const session = [...this.sessions.values()].find(
      (s) => s.live && s.sandbox?.id === event.containerId,
    );
    if (!session) return;
    this.log.info(
      { session: session.id, container: event.containerId.slice(0, 12), action: event.action },
      'engine event for a sandbox',
    );
    // The OOM killer may only have ended one process (an inner container): the session
    // ends only if the sandbox itself dies, and then memory is the reason.
    if (event.action === 'oom') session.oomAt = Date.now();
    else void this.end(session, Date.now() - session.oomAt < 30_000 ? 'memory' : 'engine');
  }

  /** After the events stream (re)opens: ends sessions whose sandbox stopped while nobody was listening. */
  private async reconcile(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (session.state !== 'ready' || !session.sandbox) continue;
      const state = await session.sandbox.inspect().catch(() => undefined);
      if (state && !state.running && session.live)
        void this.end(session, state.oomKilled ? 'memory' : 'engine');
    }
  }

  /** Keeps an ended session's id and reason for a while, so that its learner learns why. */
  private remember(session: Session): void {
    this.sessions.set(session.id, session);
    setTimeout(() => this.sessions.delete(session.id), ENDED_MEMORY_MS).unref();
  }

  /** Every session this server knows: the live ones and those ended within the last 30 minutes. */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** The session with this id whatever its token (for the operator's admin API only). */
  find(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  get liveCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.live) n++;
    return n;
  }

  /** Sandboxes by state and the terminals attached to them, as a gauge reads them. */
  get counts(): { live: number; starting: number; terminals: number } {
    const counts = { live: 0, starting: 0, terminals: 0 };
    for (const s of this.sessions.values()) {
      if (!s.live) continue;
      counts.live++;
      if (s.state === 'starting') counts.starting++;
      counts.terminals += s.terminals;
    }
    return counts;
  }

  create(lab: Lab): Session {
    if (this.liveCount >= this.limits.maxSandboxes) throw new AppError('CAPACITY');
    const now = new Date();
    const token = randomBytes(24).toString('base64url');
    const session = new Session({
      id: `s_${randomBytes(9).toString('base64url')}`,
      token,
      tokenHash: hashToken(token),
      lab,
      seed: randomBytes(8).toString('hex'),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.limits.sessionLimitMs),
    });
    this.sessions.set(session.id, session);
    this.signals?.emit('session-started', { lab: lab.slug });
    session.provisioned = this.provision(session);
    return session;
  }

  /**
   * Starts the sandbox and sets the lab up. A failure is retried once on a fresh
   * sandbox (a learner should not see a one-off fault); the retry is logged and
   * counted in `session.attempts`, so the lab contract test reports flaky setups.
   */
  private async provision(session: Session): Promise<void> {
    const log = this.log.child({ session: session.id, lab: session.lab.slug });
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      session.attempts = attempt;
      try {
        await this.provisionOnce(session, log);
        if (session.live) {
          log.info({ ms: Date.now() - started, attempt, phases: session.phases }, 'session ready');
          this.signals?.emit('session-ready', {
            lab: session.lab.slug,
            seconds: (Date.now() - started) / 1000,
            phases: session.phases,
          });
        }
        return;
      } catch (error) {
        if (!session.live) return;
        const sandbox = session.sandbox;
        session.sandbox = undefined;
        await sandbox
          ?.remove()
          .catch((err: unknown) => log.error({ err }, 'removing a failed sandbox failed'));
        if (attempt < 2) {
          log.warn({ err: error }, 'starting the session failed; retrying once on a fresh sandbox');
          continue;
        }
        log.error({ err: error }, 'session failed to start');
        session.failure = (error as Error).message;
        await this.end(
          session,
          'failed',
          `The sandbox could not be started: ${(error as Error).message.split('\n')[0]}`,
        );
        return;
      }
    }
  }

  private async provisionOnce(session: Session, log: FastifyBaseLogger): Promise<void> {
    session.phases = {};
    const timed = async <T>(phase: StartPhase, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      session.phases[phase] = Math.round(performance.now() - started) / 1000;
      return result;
    };
    session.setState('starting', 'Starting the sandbox…');
    const sandbox = await timed('sandbox', () =>
      this.provider.create({
        sessionId: session.id,
        lab: session.lab.slug,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        tokenHash: session.tokenHash,
        seed: session.seed,
      }),
    );
    session.sandbox = sandbox;
    log.info({ container: sandbox.id.slice(0, 12) }, 'sandbox created');
    if (!session.live) {
      // Stopped while the container was being created: end() could not see it.
      session.sandbox = undefined;
      await sandbox.remove();
      return;
    }
    session.setState('starting', 'Starting the sandbox’s own Docker engine…');
    const runner = new LabRunner(session.lab, sandbox, session.seed);
    // The files need only the learner's namespaces, not the engine: they are copied
    // while it starts (each phase keeps its own time; together they take the longer).
    await Promise.all([
      timed('engine', () => sandbox.waitUntilReady(30_000)),
      timed('files', () => runner.copyFiles()),
    ]);
    session.setState('starting', 'Loading the lab’s images…');
    await timed('images', async () => runner.loadImages(await this.imagesFor(session.lab)));
    session.setState('starting', 'Setting up the scenario…');
    await timed('setup', async () => {
      await runner.setup(this.limits.setupTimeoutMs);
      await sandbox.markReady();
    });
    session.runner = runner;
    if (session.live) session.setState('ready', 'Ready');
  }

  /** The session with this id, if the token matches; otherwise the same 404 as an unknown id. */
  get(id: string, token: string | undefined): Session {
    const session = this.sessions.get(id);
    if (!session || !token || !session.accepts(token)) throw new AppError('SESSION_NOT_FOUND');
    return session;
  }

  /** Whether the operator allows one more extension of this session, and if not, why. */
  extensionRefusal(session: Session): string | undefined {
    if (!session.live) return session.message;
    if (this.limits.extensionMs <= 0 || this.limits.maxExtensions <= 0)
      return 'This server does not allow extending a session.';
    if (session.extensions >= this.limits.maxExtensions) {
      return `This session was already extended ${session.extensions === 1 ? 'once' : `${session.extensions} times`}, the most this server allows.`;
    }
    return undefined;
  }

  /** Adds the operator's extension to the time limit (kept in the state dir, so a restart honours it). */
  extend(session: Session): void {
    const refusal = this.extensionRefusal(session);
    if (refusal) throw new AppError(session.live ? 'EXTENSION_REFUSED' : 'SESSION_ENDED', refusal);
    session.extensions++;
    this.prolong(session, this.limits.extensionMs);
  }

  /**
   * Moves a live session's time limit `ms` later and keeps it across restarts. The
   * operator's extension (admin API) calls this directly: it is not one of the learner's.
   */
  prolong(session: Session, ms: number): void {
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    session.expiresAt = new Date(session.expiresAt.getTime() + ms);
    this.store?.set(session.id, {
      expiresAt: session.expiresAt.toISOString(),
      extensions: session.extensions,
    });
    this.log.info(
      {
        session: session.id,
        expiresAt: session.expiresAt.toISOString(),
        extensions: session.extensions,
      },
      'session extended',
    );
    session.emit('state');
  }

  async end(session: Session, reason: EndReason, message = END_MESSAGES[reason]): Promise<void> {
    if (session.removed) return session.removed;
    session.endReason = reason;
    this.signals?.emit('session-ended', { lab: session.lab.slug, reason });
    session.setState(reason === 'failed' ? 'failed' : 'ended', message);
    session.removeAllListeners();
    session.removed = (async () => {
      try {
        await session.sandbox?.remove();
      } catch (error) {
        this.log.error(
          { err: error, session: session.id },
          'removing the sandbox failed; the next start will retry',
        );
      }
      this.store?.delete(session.id);
      this.log.info({ session: session.id, lab: session.lab.slug, reason }, 'session ended');
      this.remember(session);
    })();
    return session.removed;
  }

  private reap(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (!session.live) continue;
      if (now >= session.expiresAt.getTime()) void this.end(session, 'expired');
      else if (
        session.state === 'ready' &&
        session.terminals === 0 &&
        now - session.lastActivity >= this.limits.idleTimeoutMs
      ) {
        void this.end(session, 'idle');
      }
    }
  }

  /**
   * Graceful shutdown. With `shutdown: keep` (the default) ready sandboxes keep
   * running for the next start to adopt; sandboxes still starting are removed
   * (a half-set-up lab is not adopted). With `remove`, every sandbox goes.
   */
  async close(): Promise<void> {
    clearInterval(this.reaper);
    this.events?.close();
    const keep = this.limits.shutdown === 'keep';
    const ending = [...this.sessions.values()].filter(
      (s) => s.live && !(keep && s.state === 'ready'),
    );
    await Promise.all(ending.map((s) => this.end(s, 'shutdown')));
    await Promise.all([...this.sessions.values()].map((s) => s.provisioned));
    const kept = [...this.sessions.values()]
      .filter((s) => s.live && s.sandbox)
      .map((s) => s.sandbox!.id);
    if (kept.length > 0)
      this.log.info(`shutdown: kept ${kept.length} running sandbox(es) for the next start`);
    await this.provider.removeAll(new Set(kept));
  }
}

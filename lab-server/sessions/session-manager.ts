/**
 * Creates, finds and ends sessions, and removes sandboxes that were abandoned
 * (idle timeout) or ran out of time (hard limit).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { AppError } from '../errors.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import { type LabImage, LabRunner } from './lab-runner.ts';
import { END_MESSAGES, type EndReason, Session } from './session.ts';

export interface SessionLimits {
  idleTimeoutMs: number;
  sessionLimitMs: number;
  maxSandboxes: number;
  setupTimeoutMs: number;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly provider: SandboxProvider;
  private readonly limits: SessionLimits;
  private readonly imagesFor: (lab: Lab) => Promise<LabImage[]>;
  private readonly log: FastifyBaseLogger;
  private reaper: NodeJS.Timeout | undefined;

  constructor(opts: { provider: SandboxProvider; limits: SessionLimits; imagesFor: (lab: Lab) => Promise<LabImage[]>; log: FastifyBaseLogger }) {
    this.provider = opts.provider;
    this.limits = opts.limits;
    this.imagesFor = opts.imagesFor;
    this.log = opts.log;
  }

  /** Removes sandboxes a previous run of this server left behind, then starts the reaper. */
  async start(): Promise<void> {
    const removed = await this.provider.removeAll();
    if (removed > 0) this.log.info(`removed ${removed} sandbox(es) left by a previous run`);
    // Short limits (tests, demos) are honoured promptly; normal ones are checked every 5 s.
    const every = Math.max(250, Math.min(5000, this.limits.idleTimeoutMs / 3, this.limits.sessionLimitMs / 3));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  get liveCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.live) n++;
    return n;
  }

  create(lab: Lab): Session {
    if (this.liveCount >= this.limits.maxSandboxes) throw new AppError('CAPACITY');
    const now = new Date();
    const session = new Session({
      id: `s_${randomBytes(9).toString('base64url')}`,
      token: randomBytes(24).toString('base64url'),
      lab,
      seed: randomBytes(8).toString('hex'),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.limits.sessionLimitMs),
    });
    this.sessions.set(session.id, session);
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
        if (session.live) log.info({ ms: Date.now() - started, attempt }, 'session ready');
        return;
      } catch (error) {
        if (!session.live) return;
        const sandbox = session.sandbox;
        session.sandbox = undefined;
        await sandbox?.remove().catch((err: unknown) => log.error({ err }, 'removing a failed sandbox failed'));
        if (attempt < 2) {
          log.warn({ err: error }, 'starting the session failed; retrying once on a fresh sandbox');
          continue;
        }
        log.error({ err: error }, 'session failed to start');
        session.failure = (error as Error).message;
        await this.end(session, 'failed', `The sandbox could not be started: ${(error as Error).message.split('\n')[0]}`);
        return;
      }
    }
  }

  private async provisionOnce(session: Session, log: FastifyBaseLogger): Promise<void> {
    session.setState('starting', 'Starting the sandbox…');
    const sandbox = await this.provider.create({ sessionId: session.id, lab: session.lab.slug, expiresAt: session.expiresAt });
    session.sandbox = sandbox;
    log.info({ container: sandbox.id.slice(0, 12) }, 'sandbox created');
    if (!session.live) {
      // Stopped while the container was being created: end() could not see it.
      session.sandbox = undefined;
      await sandbox.remove();
      return;
    }
    session.setState('starting', 'Starting the sandbox’s own Docker engine…');
    await sandbox.waitUntilReady(30_000);
    const runner = new LabRunner(session.lab, sandbox, session.seed);
    session.setState('starting', 'Loading the lab’s images…');
    await runner.copyFiles();
    await runner.loadImages(await this.imagesFor(session.lab));
    session.setState('starting', 'Setting up the scenario…');
    await runner.setup(this.limits.setupTimeoutMs);
    session.runner = runner;
    if (session.live) session.setState('ready', 'Ready');
  }

  /** The session with this id, if the token matches; otherwise the same 404 as an unknown id. */
  get(id: string, token: string | undefined): Session {
    const session = this.sessions.get(id);
    if (!session || !token) throw new AppError('SESSION_NOT_FOUND');
    const a = Buffer.from(session.token);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('SESSION_NOT_FOUND');
    return session;
  }

  async end(session: Session, reason: EndReason, message = END_MESSAGES[reason]): Promise<void> {
    if (session.removed) return session.removed;
    session.endReason = reason;
    session.setState(reason === 'failed' ? 'failed' : 'ended', message);
    session.removeAllListeners();
    session.removed = (async () => {
      try {
        await session.sandbox?.remove();
      } catch (error) {
        this.log.error({ err: error, session: session.id }, 'removing the sandbox failed; the next start will retry');
      }
      this.log.info({ session: session.id, lab: session.lab.slug, reason }, 'session ended');
      // Keep ended sessions briefly so a client asking about them learns why.
      setTimeout(() => this.sessions.delete(session.id), 10 * 60_000).unref();
    })();
    return session.removed;
  }

  private reap(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (!session.live) continue;
      if (now >= session.expiresAt.getTime()) void this.end(session, 'expired');
      else if (session.state === 'ready' && now - session.lastActivity >= this.limits.idleTimeoutMs) void this.end(session, 'idle');
    }
  }

  /** Ends every session and removes its sandbox (graceful shutdown). */
  async close(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.sessions.values()].filter((s) => s.live).map((s) => this.end(s, 'shutdown')));
    await Promise.all([...this.sessions.values()].map((s) => s.provisioned));
    await this.provider.removeAll();
  }
}

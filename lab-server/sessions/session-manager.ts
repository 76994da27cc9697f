/**
 * Creates, finds, extends, checks and ends sessions; removes sandboxes that
 * were abandoned (idle timeout) or ran out of time (hard limit); ends sessions
 * whose sandbox the engine ended. The session store is the source of truth:
 * every change is written there and emitted as one event (`record`), and a
 * restarted server rebuilds its sessions from it (reconcile.ts).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { END_MESSAGES, type EndReason } from '../../protocol/end-reasons.ts';
import type { PreparedBackend } from '../backend/sandbox-backend.ts';
import { AppError } from '../errors.ts';
import type { SandboxEvent } from '../sandbox/sandbox.ts';
import type { Signals } from '../signals.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { CheckResult, LabRunner } from './lab-runner.ts';
import { reconcile } from './reconcile.ts';
import {
  type Phases,
  removeSandbox,
  SetupCancelled,
  type SetUpSandbox,
  setUpSandbox,
} from './sandbox-setup.ts';
import { CHECK_MESSAGE_CHARS, type SessionChange } from './session-events.ts';
import { hashToken, Session, type Watcher } from './session.ts';
import { SetupQueue } from './setup-queue.ts';
import { runSolveSteps, solveSteps, type StepRun } from './solutions.ts';
import { IdlePauser } from './idle-pause.ts';
import { TakeoverDesk } from './takeover.ts';
import type { WarmPool } from './warm-pool.ts';

/** A claimed warm sandbox gets a learner's CPU weight this long after its claim (see claim). */
const RAISE_PRIORITY_AFTER_MS = 5000;

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
  /** Ended sessions, their checks and events are kept this long in the store (DRYDOCK_RETENTION_DAYS). */
  retentionMs: number;
  /** Cold setups that run at once; more Starts wait in line, told their place. */
  setupConcurrency: number;
  /** What shutdown does with running sandboxes: keep them for the next start, or remove them. */
  shutdown: 'keep' | 'remove';
  /** A ready sandbox quiet this long is paused until its learner is back (idle-pause.ts); 0 never. */
  pauseIdleAfterMs: number;
}

/** A skip that worked: what ran, and the check after it. */
export interface AppliedSolution {
  task: string;
  /** The tasks whose solve step ran, in the lab's order: each now counts as shown. */
  shown: string[];
  steps: StepRun[];
  results: CheckResult[];
}

const checkRecords = (results: readonly CheckResult[], checkedAt: number) =>
  results.map((r) => ({ task: r.task, passed: r.passed, message: r.output, checkedAt }));

/** How long an ended session stays in memory; after that its id and reason come from the store. */
const ENDED_MEMORY_MS = 30 * 60_000;
const PRUNE_EVERY_MS = 3600_000;

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly store: SessionStore;
  private readonly owner: string;
  private readonly limits: SessionLimits;
  private readonly log: FastifyBaseLogger;
  private readonly findLab: (slug: string) => Lab | undefined;
  private readonly labVersion: (lab: Lab) => string;
  private readonly signals: Signals | undefined;
  private readonly pool: WarmPool | undefined;
  /** Warm sandboxes claimed by sessions whose provisioning has not taken them yet. */
  private readonly claimed = new Map<Session, SetUpSandbox>();
  private readonly setups: SetupQueue;
  /** Pauses the sandboxes of learners who went away (none with DRYDOCK_PAUSE_IDLE_AFTER=0). */
  private readonly pauser: IdlePauser | undefined;
  /** Watchers typing in learners' terminals, each only with the learner's consent. */
  readonly takeovers: TakeoverDesk;
  private backend: PreparedBackend | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** The engine events watcher; `drop()` is for tests. */
  events: { close(): void; drop(): void } | undefined;

  constructor(opts: {
    store: SessionStore;
    /** The server whose sessions these are (DRYDOCK_OWNER): one store may serve several. */
    owner: string;
    limits: SessionLimits;
    findLab: (slug: string) => Lab | undefined;
    /** The version of a lab's files and images (labs/catalog.ts) a sandbox is set up from. */
    labVersion: (lab: Lab) => string;
    log: FastifyBaseLogger;
    /** Where every session event goes once recorded (metrics, logs). */
    signals?: Signals;
    /** Warm sandboxes to claim instead of starting cold. */
    pool?: WarmPool;
  }) {
    this.store = opts.store;
    this.owner = opts.owner;
    this.limits = opts.limits;
    this.findLab = opts.findLab;
    this.labVersion = opts.labVersion;
    this.log = opts.log;
    this.signals = opts.signals;
    this.pool = opts.pool;
    this.setups = new SetupQueue(opts.limits.setupConcurrency);
    this.takeovers = new TakeoverDesk((session, change) => this.record(session, change));
    if (opts.limits.pauseIdleAfterMs > 0)
      this.pauser = new IdlePauser({ afterMs: opts.limits.pauseIdleAfterMs, log: opts.log });
  }

  /** Whether the backend is prepared and sessions can start. */
  get available(): boolean {
    return this.backend !== undefined;
  }

  /**
   * Takes the prepared backend: reconciles the store with what the engine holds
   * (a previous run's live sessions are adopted, the rest ended and their
   * sandboxes removed), then starts the reaper and the engine watcher.
   */
  async attach(backend: PreparedBackend): Promise<void> {
    const { adopted, ended, warm } = await reconcile({
      store: this.store,
      provider: backend.provider,
      owner: this.owner,
      findLab: this.findLab,
      labVersion: this.labVersion,
      keepWarm: this.pool !== undefined,
      log: this.log,
    });
    for (const session of adopted) {
      this.sessions.set(session.id, session);
      await this.record(session, { type: 'adopted' });
    }
    for (const { session, reason, message } of ended) await this.end(session, reason, message);
    this.backend = backend;
    this.pool?.attach(backend, warm);
    // Short limits (tests, demos) are honoured promptly; normal ones are checked every 5 s.
    const every = Math.max(
      250,
      Math.min(
        5000,
        this.limits.idleTimeoutMs / 3,
        this.limits.sessionLimitMs / 3,
        (this.limits.pauseIdleAfterMs || Infinity) / 3,
      ),
    );
    const prune = () =>
      void this.store
        .forgetEnded(this.owner, Date.now() - this.limits.retentionMs)
        .catch((err: unknown) => this.log.error({ err }, 'pruning old sessions failed'));
    prune();
    this.timers = [setInterval(() => this.reap(), every), setInterval(prune, PRUNE_EVERY_MS)];
    for (const timer of this.timers) timer.unref();
    this.events = backend.provider.watch(
      (event) => this.onSandboxEvent(event),
      () => void this.recheckSandboxes(),
    );
  }

  /**
   * The one place a session's change is announced: appended to the store's event
   * log, then signalled. A store that fails is logged, not fatal: the learner's
   * session goes on.
   */
  private async record(session: Session, change: SessionChange): Promise<void> {
    const at = Date.now();
    const { type, ...data } = change;
    await this.write(session, `recording "${type}"`, () =>
      this.store.appendEvent({ sessionId: session.id, type, at, data }),
    );
    this.signals?.emit('session', { ...change, sessionId: session.id, lab: session.lab.slug, at });
  }

  private async write(session: Session, what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.log.error({ err, session: session.id }, `session store: ${what} failed`);
    }
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
  private async recheckSandboxes(): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (session.state !== 'ready' || !session.sandbox) continue;
      const state = await session.sandbox.inspect().catch(() => undefined);
      if (state && !state.running && session.live)
        void this.end(session, state.oomKilled ? 'memory' : 'engine');
    }
  }

  /** Keeps an ended session in memory for a while; the store keeps it longer. */
  private remember(session: Session): void {
    this.sessions.set(session.id, session);
    setTimeout(() => this.sessions.delete(session.id), ENDED_MEMORY_MS).unref();
  }

  /** Every session in memory: the live ones and those ended within the last 30 minutes. */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** The session in memory with this id whatever its token (for the operator's admin API only). */
  find(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  get liveCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.live) n++;
    return n;
  }

  /** Sandboxes by state and the terminals attached to them, as a gauge reads them. */
  get counts(): { live: number; starting: number; terminals: number; paused: number } {
    const counts = { live: 0, starting: 0, terminals: 0, paused: 0 };
    for (const s of this.sessions.values()) {
      if (!s.live) continue;
      counts.live++;
      if (s.state === 'starting') counts.starting++;
      if (s.sandbox?.paused) counts.paused++;
      counts.terminals += s.terminals;
    }
    return counts;
  }

  /**
   * Creates a session and starts its sandbox in the background. Synchronous, so
   * that admission's decision and the creation are one step; `session.stored`
   * settles once the store has it (a caller answers only then).
   */
  create(lab: Lab, options: { learner?: string | null } = {}): Session {
    if (!this.available) throw new AppError('LABS_UNAVAILABLE');
    if (this.liveCount >= this.limits.maxSandboxes) throw new AppError('CAPACITY');
    // Taken before anything awaits: no other start can be handed the same sandbox.
    const warm = this.pool?.take(lab.slug);
    if (!warm && this.pool && this.liveCount + this.pool.size >= this.limits.maxSandboxes)
      this.pool.makeRoom(lab.slug);
    const now = new Date();
    const token = randomBytes(24).toString('base64url');
    const session = new Session({
      id: `s_${randomBytes(9).toString('base64url')}`,
      token,
      tokenHash: hashToken(token),
      lab,
      // A warm sandbox was set up with its own seed: it becomes the session's.
      seed: warm?.seed ?? randomBytes(8).toString('hex'),
      learner: options.learner ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.limits.sessionLimitMs),
    });
    this.sessions.set(session.id, session);
    if (warm) {
      session.warm = true;
      this.claimed.set(session, warm);
    }
    session.stored = this.store
      .createSession({
        id: session.id,
        owner: this.owner,
        lab: lab.slug,
        tokenHash: session.tokenHash,
        seed: session.seed,
        learner: session.learner,
        state: session.state,
        message: session.message,
        endReason: null,
        createdAt: now.getTime(),
        expiresAt: session.expiresAt.getTime(),
        endedAt: null,
        extensions: 0,
      })
      .then(() => this.record(session, { type: 'created', learner: session.learner }));
    session.provisioned = session.stored.then(
      () => this.provision(session),
      async (err: unknown) => {
        this.log.error({ err, session: session.id }, 'session store: creating the session failed');
        // A warm sandbox it took goes with it, as any sandbox of an ended session.
        session.sandbox = this.claimed.get(session)?.sandbox;
        this.claimed.delete(session);
        await this.end(session, 'failed', 'The lab server could not record this session.');
      },
    );
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
    const warm = this.claimed.get(session);
    this.claimed.delete(session);
    for (let attempt = 1; ; attempt++) {
      session.attempts = attempt;
      try {
        if (warm && attempt === 1) await this.claim(session, warm, log);
        else await this.provisionOnce(session, log);
        this.pool?.nudge();
        if (session.live) {
          const seconds = (Date.now() - started) / 1000;
          log.info({ ms: Date.now() - started, attempt, phases: session.phases }, 'session ready');
          await this.write(session, 'marking it ready', () =>
            this.store.updateSession(session.id, { state: 'ready', message: session.message }),
          );
          await this.record(session, {
            type: 'ready',
            seconds,
            attempts: attempt,
            phases: session.phases,
          });
        }
        return;
      } catch (error) {
        if (!session.live) return;
        const sandbox = session.sandbox;
        session.sandbox = undefined;
        await removeSandbox(this.store, sandbox, log);
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

  /** Hands a warm sandbox to its session: bound in the store, given a learner's CPU share. */
  private async claim(session: Session, warm: SetUpSandbox, log: FastifyBaseLogger): Promise<void> {
    const started = performance.now();
    session.phases = {};
    session.sandbox = warm.sandbox;
    // A few seconds later, not now: the engine updates containers one at a time,
    // and the terminal a class's thirty claims open next queued behind thirty
    // updates (bench:start --warm --concurrency 30: up to a second each). The low
    // weight costs nothing meanwhile: refills keep quiet for a moment after a claim.
    setTimeout(() => {
      if (session.live && session.sandbox === warm.sandbox)
        warm.sandbox
          .raisePriority()
          .catch((err: unknown) =>
            log.warn({ err }, 'giving a claimed sandbox a learner’s CPU weight failed'),
          );
    }, RAISE_PRIORITY_AFTER_MS).unref();
    await this.store.bindSandbox(warm.sandbox.id, session.id, Date.now());
    session.runner = warm.runner;
    session.phases.claim = Math.round(performance.now() - started) / 1000;
    log.info({ container: warm.sandbox.id.slice(0, 12) }, 'claimed a warm sandbox');
    if (session.live) session.setState('ready', 'Ready');
  }

  private async provisionOnce(session: Session, log: FastifyBaseLogger): Promise<void> {
    const phases: Phases = {};
    session.phases = phases;
    const release = await this.setups.enter(
      (ahead) =>
        session.setState(
          'starting',
          ahead === 0
            ? 'Your sandbox is next in line to be set up…'
            : `Other learners’ sandboxes are being set up: ${ahead} ahead of yours…`,
        ),
      () => !session.live,
    );
    if (!session.live) return release();
    session.setState('starting', 'Starting the sandbox…');
    let ready: SetUpSandbox;
    try {
      ready = await setUpSandbox({
        backend: this.backend!,
        store: this.store,
        owner: this.owner,
        lab: session.lab,
        labVersion: this.labVersion(session.lab),
        seed: session.seed,
        setupTimeoutMs: this.limits.setupTimeoutMs,
        log,
        phases,
        progress: (message) => session.setState('starting', message),
        wanted: () => session.live,
        created: (sandbox) => (session.sandbox = sandbox),
      });
    } catch (error) {
      // Stopped while the container was being created: end() could not see it.
      if (error instanceof SetupCancelled) return void (session.sandbox = undefined);
      throw error;
    } finally {
      release();
    }
    // Claimed only now: until here the sandbox served nobody.
    await this.store.bindSandbox(ready.sandbox.id, session.id, Date.now());
    session.runner = ready.runner;
    if (session.live) session.setState('ready', 'Ready');
  }

  /** The session in memory with this id, if the token matches; otherwise the same 404 as an unknown id. */
  get(id: string, token: string | undefined): Session {
    const session = this.sessions.get(id);
    if (!session || !token || !session.accepts(token)) throw new AppError('SESSION_NOT_FOUND');
    return session;
  }

  /**
   * Like `get`, but an ended session no longer in memory (ended long ago, or
   * before a restart) is read from the store, so that its learner learns why.
   */
  async lookup(id: string, token: string | undefined): Promise<Session> {
    if (this.sessions.has(id)) return this.get(id, token);
    const record = await this.store.session(id);
    const lab = record && this.findLab(record.lab);
    if (!record || record.owner !== this.owner || !lab || !token)
      throw new AppError('SESSION_NOT_FOUND');
    const session = Session.fromRecord(record, lab);
    if (!session.accepts(token)) throw new AppError('SESSION_NOT_FOUND');
    // Live records are all in memory since reconcile: one that is not is over.
    if (session.live) session.setState('ended', END_MESSAGES.engine);
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

  /** The learner's extension: adds the operator's extension time to the limit. */
  async extend(session: Session): Promise<void> {
    const refusal = this.extensionRefusal(session);
    if (refusal) throw new AppError(session.live ? 'EXTENSION_REFUSED' : 'SESSION_ENDED', refusal);
    session.extensions++;
    await this.prolong(session, this.limits.extensionMs, 'learner');
  }

  /**
   * Moves a live session's time limit `ms` later, in the store too (a restart
   * honours it). The operator's extension (admin API) calls this directly: it is
   * not one of the learner's.
   */
  async prolong(
    session: Session,
    ms: number,
    by: 'learner' | 'operator' | 'instructor' = 'operator',
  ): Promise<void> {
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    session.expiresAt = new Date(session.expiresAt.getTime() + ms);
    session.emit('state');
    await this.write(session, 'extending it', () =>
      this.store.updateSession(session.id, {
        expiresAt: session.expiresAt.getTime(),
        extensions: session.extensions,
      }),
    );
    this.log.info(
      {
        session: session.id,
        expiresAt: session.expiresAt.toISOString(),
        extensions: session.extensions,
        by,
      },
      'session extended',
    );
    await this.record(session, {
      type: 'extended',
      expiresAt: session.expiresAt.toISOString(),
      extensions: session.extensions,
      by,
    });
  }

  /**
   * Someone starts watching the learner's terminal: the learner's page is told at
   * once, and the store's events keep who looked and for how long. Returns what
   * ends the watch (idempotent).
   */
  async startWatching(
    session: Session,
    name: string,
  ): Promise<{ watcher: Watcher; end: () => Promise<void> }> {
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    const watcher = { id: `w_${randomBytes(6).toString('base64url')}`, name, since: Date.now() };
    session.watchers.set(watcher.id, watcher);
    session.emit('watchers');
    this.log.info({ session: session.id, by: name }, 'watching a terminal');
    await this.record(session, { type: 'watch-started', watcher: watcher.id, by: name });
    const end = async () => {
      if (!session.watchers.delete(watcher.id)) return;
      await this.takeovers.left(session, watcher.id);
      session.emit('watchers');
      const seconds = Math.round((Date.now() - watcher.since) / 100) / 10;
      this.log.info({ session: session.id, by: name, seconds }, 'stopped watching a terminal');
      await this.record(session, { type: 'watch-ended', watcher: watcher.id, by: name, seconds });
    };
    return { watcher, end };
  }

  /** A message to the session's learner from their class's instructor: shown at once, and kept in its events. */
  async broadcast(session: Session, from: string, message: string): Promise<void> {
    if (!session.live) return;
    session.lastBroadcast = { from, message, at: Date.now() };
    session.emit('broadcast');
    await this.record(session, { type: 'broadcast', from, message });
  }

  /**
   * Runs every task's check; the verdicts are kept (latest per task) and announced.
   * A task whose solution was applied in the session says so (`shown`), whatever its verdict.
   */
  async check(session: Session): Promise<CheckResult[]> {
    const runner = this.readyRunner(session);
    if (session.solving)
      throw new AppError(
        'SOLUTION_RUNNING',
        'The solution is being applied in your sandbox; check again when it is done.',
      );
    const results = await this.markShown(session, await this.runChecks(session, runner, false));
    await this.recordVerdicts(session, results, Date.now(), false);
    return results;
  }

  /**
   * A live check (live-checks/): the tasks that allow it, at a low priority in the
   * sandbox. Only verdicts that change are recorded and announced, as by Check and
   * marked `live`, then told to the learner's terminals; a task no check judged yet
   * counts as failing (a lab starts broken), so a live failure of it is no news.
   * None while a solution is applied: its steps would be judged half-way.
   * Resolves with the time the checks took (0 when the session cannot be checked).
   */
  async liveCheck(session: Session): Promise<{ ms: number; changed: CheckResult[] }> {
    const runner = session.runner;
    if (session.state !== 'ready' || !runner || session.solving) return { ms: 0, changed: [] };
    // Not beside a Check: it gives a verdict of now anyway, and both would run the same
    // scripts at once (a check that writes what it then looks for could find the other's).
    if (session.checking.size > 0) return { ms: 0, changed: [] };
    const started = performance.now();
    const results = await this.runChecks(session, runner, true);
    const ms = performance.now() - started;
    if (session.state !== 'ready' || session.solving) return { ms, changed: [] };
    const changed = results.filter(
      (r) => r.passed !== (session.verdicts.get(r.task)?.passed ?? false),
    );
    for (const result of results) session.verdicts.set(result.task, result);
    if (changed.length === 0) return { ms, changed };
    const checkedAt = Date.now();
    const marked = await this.markShown(session, changed);
    await this.recordVerdicts(session, marked, checkedAt, true);
    session.emit('verdicts', marked, checkedAt);
    return { ms, changed: marked };
  }

  /**
   * Skips `task` with the lab's solution (solutions.ts): its solve step, and that of
   * each earlier task whose latest verdict is not a pass, run in the sandbox; then
   * every task is checked. The tasks solved are recorded as shown, never as passed,
   * and only if every step ran and `task` passes after them; otherwise the learner
   * is told why (SOLUTION_FAILED) and nothing is recorded. One at a time per session.
   */
  async applySolution(session: Session, task: string): Promise<AppliedSolution> {
    const runner = this.readyRunner(session);
    if (!session.lab.manifest.tasks.some((t) => t.id === task))
      throw new AppError('TASK_NOT_FOUND', `This lab has no task called "${task}".`);
    if (session.solving)
      throw new AppError(
        'SOLUTION_RUNNING',
        'A solution is already being applied in your sandbox; wait until it is done.',
      );
    session.solving = task;
    const started = Date.now();
    try {
      // A check that began before must not record a verdict from the middle of the steps.
      await Promise.allSettled([...session.checking]);
      const passing = new Set(
        (await this.store.checks(session.id)).filter((c) => c.passed).map((c) => c.task),
      );
      const taskIds = session.lab.manifest.tasks.map((t) => t.id);
      const steps = solveSteps(taskIds, task, passing);
      this.log.info({ session: session.id, task, steps }, 'applying a solution');
      const ran = await runSolveSteps(session.lab, runner, steps);
      const results = await this.runChecks(session, runner, false);
      const mine = results.find((r) => r.task === task);
      if (!mine?.passed) {
        const title = session.lab.manifest.tasks.find((t) => t.id === task)!.title;
        throw new AppError(
          'SOLUTION_FAILED',
          `The solution ran, but the check of “${title}” still fails in your sandbox, so nothing was marked as shown. The check says:\n${mine?.output ?? ''}`,
        );
      }
      const shown = new Set([...steps, ...(await this.shownTasks(session))]);
      const marked = results.map((r) => (shown.has(r.task) ? { ...r, shown: true as const } : r));
      const at = Date.now();
      await this.write(session, 'recording a solution', () =>
        this.store.recordSolution(session.id, steps, checkRecords(marked, at), at),
      );
      // Before its check: whoever folds the events sees the tasks shown before they pass.
      await this.record(session, {
        type: 'solution-applied',
        task,
        shown: steps,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
      for (const result of marked) session.verdicts.set(result.task, result);
      await this.recordChecked(session, marked, false);
      return { task, shown: steps, steps: ran, results: marked };
    } finally {
      session.solving = undefined;
    }
  }

  /** The runner of a session that can run scripts now, or why it cannot. */
  private readyRunner(session: Session): LabRunner {
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    if (session.state !== 'ready' || !session.runner)
      throw new AppError('SESSION_NOT_READY', `The sandbox is not ready yet: ${session.message}`);
    return session.runner;
  }

  /**
   * Runs checks, counted on the session: engine events meanwhile are the checks' own,
   * and a solution waits for the checks already running.
   */
  private async runChecks(
    session: Session,
    runner: LabRunner,
    live: boolean,
  ): Promise<CheckResult[]> {
    const running = runner.check({ live });
    session.checking.add(running);
    session.checksRunning++;
    try {
      return await running;
    } finally {
      session.checking.delete(running);
      session.checksRunning--;
      session.lastCheckEndedAt = Date.now();
    }
  }

  /** The results, those of tasks whose solution was applied in the session marked `shown`. */
  private async markShown(session: Session, results: CheckResult[]): Promise<CheckResult[]> {
    const shown = await this.shownTasks(session);
    return results.map((r) => (shown.has(r.task) ? { ...r, shown: true as const } : r));
  }

  /** The tasks whose solution was applied in the session (the store keeps it across restarts). */
  private async shownTasks(session: Session): Promise<Set<string>> {
    try {
      const checks = await this.store.checks(session.id);
      return new Set(checks.filter((c) => c.shownAt !== undefined).map((c) => c.task));
    } catch (err) {
      this.log.error({ err, session: session.id }, 'session store: reading shown tasks failed');
      return new Set();
    }
  }

  private async recordVerdicts(
    session: Session,
    results: CheckResult[],
    checkedAt: number,
    live: boolean,
  ): Promise<void> {
    if (!live) for (const result of results) session.verdicts.set(result.task, result);
    await this.write(session, 'recording checks', () =>
      this.store.recordChecks(session.id, checkRecords(results, checkedAt)),
    );
    await this.recordChecked(session, results, live);
  }

  private async recordChecked(
    session: Session,
    results: CheckResult[],
    live: boolean,
  ): Promise<void> {
    await this.record(session, {
      type: 'checked',
      results: results.map(({ task, passed, output }) => ({
        task,
        passed,
        message: output.slice(0, CHECK_MESSAGE_CHARS),
      })),
      ...(live ? { live: true as const } : {}),
    });
  }

  async end(session: Session, reason: EndReason, message = END_MESSAGES[reason]): Promise<void> {
    if (session.removed) return session.removed;
    session.endReason = reason;
    this.takeovers.forget(session);
    session.setState(reason === 'failed' ? 'failed' : 'ended', message);
    session.removeAllListeners();
    session.removed = (async () => {
      // A session ended while the store was still writing it is updated after.
      await session.stored.catch(() => {});
      await this.write(session, 'ending it', () =>
        this.store.updateSession(session.id, {
          state: session.state,
          message,
          endReason: reason,
          endedAt: Date.now(),
        }),
      );
      await this.record(session, { type: 'ended', reason, message });
      await removeSandbox(this.store, session.sandbox, this.log.child({ session: session.id }));
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
    this.pauser?.scan(this.sessions.values());
  }

  /**
   * Graceful shutdown. With `shutdown: keep` (the default) ready sandboxes keep
   * running for the next start to adopt; sandboxes still starting are removed
   * (a half-set-up lab is not adopted). With `remove`, every sandbox goes.
   */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.events?.close();
    const keep = this.limits.shutdown === 'keep';
    await this.pool?.close(keep);
    const ending = [...this.sessions.values()].filter(
      (s) => s.live && !(keep && s.state === 'ready'),
    );
    await Promise.all(ending.map((s) => this.end(s, 'shutdown')));
    await Promise.all([...this.sessions.values()].map((s) => s.provisioned));
    await Promise.all([...this.sessions.values()].flatMap((s) => (s.removed ? [s.removed] : [])));
    const kept = [...this.sessions.values()]
      .filter((s) => s.live && s.sandbox)
      .map((s) => s.sandbox!.id);
    const warm = keep ? (this.pool?.containers() ?? []) : [];
    if (kept.length + warm.length > 0)
      this.log.info(
        `shutdown: kept ${kept.length} running sandbox(es) and ${warm.length} warm one(s) for the next start`,
      );
    kept.push(...warm);
    if (this.backend) await this.backend.provider.removeAll(new Set(kept));
  }
}

/**
 * Pauses the sandboxes of learners who went away, so that a class's idle
 * sandboxes cost the host nothing.
 *
 * An idle sandbox is not free: its engine wakes now and then, and a lab whose
 * scenario is a crash loop has Docker restart a container once a minute, which
 * costs the sandbox about 0.4 s of CPU each time (engine, runtime, network set-up).
 * Forty of them kept a quarter of a core busy for nobody (bench:density).
 * Paused (the engine's freezer), a sandbox uses no CPU and keeps everything as it
 * was; the learner's next key, click or API call resumes it (Session.touch), and
 * so does anything that enters it (DockerSandbox resumes before every exec).
 *
 * A sandbox is paused once nothing happened for `afterMs` (the learner's activity,
 * or its last resume) and it used less than BUSY_SHARE of a core over the last
 * sample: a build the learner left running, or a program printing into a terminal
 * nobody reads, keeps its sandbox running.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { Session } from './session.ts';

export interface IdlePauseOptions {
  /** Quiet this long, a sandbox is a candidate. */
  afterMs: number;
  log: FastifyBaseLogger;
}

/** Long enough to see a crash loop's restart (once a minute) in the sample. */
const SAMPLE_MS = 65_000;
/** An idle sandbox uses well under 1 % of a core; a build or a busy loop, far more. */
const BUSY_SHARE = 0.02;

export class IdlePauser {
  private readonly afterMs: number;
  /** How long a candidate's CPU use is sampled before it is paused: at most `afterMs`. */
  private readonly sampleMs: number;
  private readonly log: FastifyBaseLogger;
  private readonly now = Date.now;
  /** Each candidate's CPU reading when its sample began. */
  private readonly samples = new Map<Sandbox, { at: number; cpuSeconds: number }>();
  /** Sandboxes being looked at or paused now (a slow engine must not pile scans up). */
  private readonly busy = new Set<Sandbox>();

  constructor(options: IdlePauseOptions) {
    this.afterMs = options.afterMs;
    this.sampleMs = Math.min(SAMPLE_MS, options.afterMs);
    this.log = options.log;
  }

  /** Looks at every ready session's sandbox; called on the session manager's tick. */
  scan(sessions: Iterable<Session>): void {
    const seen = new Set<Sandbox>();
    for (const session of sessions) {
      const sandbox = session.sandbox;
      if (session.state !== 'ready' || !sandbox) continue;
      seen.add(sandbox);
      // A check or a solution runs a command in it, which a pause would hold up.
      if (sandbox.paused || this.busy.has(sandbox) || session.checksRunning > 0 || session.solving)
        continue;
      const quietSince = Math.max(session.lastActivity, sandbox.resumedAt);
      if (this.now() - quietSince < this.afterMs) {
        this.samples.delete(sandbox);
        continue;
      }
      this.busy.add(sandbox);
      void this.consider(session, sandbox).finally(() => this.busy.delete(sandbox));
    }
    for (const sandbox of this.samples.keys()) if (!seen.has(sandbox)) this.samples.delete(sandbox);
  }

  private async consider(session: Session, sandbox: Sandbox): Promise<void> {
    try {
      const cpuSeconds = await sandbox.cpuSeconds();
      const at = this.now();
      const sample = this.samples.get(sandbox);
      // A sample that began before the last activity says nothing about the quiet since.
      const quietSince = Math.max(session.lastActivity, sandbox.resumedAt);
      if (!sample || sample.at < quietSince) {
        this.samples.set(sandbox, { at, cpuSeconds });
        return;
      }
      if (at - sample.at < this.sampleMs) return;
      const share = (cpuSeconds - sample.cpuSeconds) / ((at - sample.at) / 1000);
      if (share >= BUSY_SHARE) {
        this.samples.set(sandbox, { at, cpuSeconds });
        return;
      }
      this.samples.delete(sandbox);
      // Activity while the CPU was read wins: the learner is back.
      if (session.state !== 'ready' || this.now() - session.lastActivity < this.afterMs) return;
      await sandbox.pause();
      this.log.info(
        {
          session: session.id,
          lab: session.lab.slug,
          idleSeconds: Math.round((this.now() - quietSince) / 1000),
          cpuShare: +share.toFixed(4),
        },
        'sandbox paused: its learner is away (it resumes at their next action)',
      );
    } catch (err) {
      this.samples.delete(sandbox);
      // Gone meanwhile (the session ended): nothing to pause.
      if (session.state === 'ready')
        this.log.warn({ err, session: session.id }, 'pausing an idle sandbox failed');
    }
  }
}

/** One learner's session: a sandbox for one lab, reachable only with its token. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Lab } from '../../lab-format/load.ts';
import type { EndReason } from '../../protocol/end-reasons.ts';
import type { SessionState } from '../../protocol/session.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { SessionRecord } from '../store/session-store.ts';
import type { StartPhase } from '../signals.ts';
import type { CheckResult, LabRunner } from './lab-runner.ts';
import type { Takeover, TakeoverEnd } from './takeover.ts';

export interface SessionEvents {
  state: [];
  /** Someone began or stopped watching the learner's terminal. */
  watchers: [];
  /** The class's instructor sent a message to the class. */
  broadcast: [];
  /** A take-over was asked for or granted (no argument), or ended (why, and whose). */
  takeover: [ended?: TakeoverEnd];
  /** Keys reached the learner's shell (live checks' terminal trigger). */
  typed: [data: Buffer];
  /** The learner's shell wrote output. */
  output: [];
  /** A live check changed these tasks' verdicts (the learner's page is told). */
  verdicts: [results: CheckResult[], checkedAt: number];
}

/** A message to a whole class, as its learners' terminals show it. */
export interface Broadcast {
  from: string;
  message: string;
  at: number;
}

/** Someone (an instructor) watching the learner's terminal, read-only. */
export interface Watcher {
  id: string;
  /** Who, as the learner is told and the audit log keeps: a staff member's name. */
  name: string;
  since: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  /** Only on a session this server created, for the one answer that returns it. */
  readonly token: string | undefined;
  /** SHA-256 (hex) of the token: what the server keeps, in memory and in the sandbox's labels. */
  readonly tokenHash: string;
  readonly lab: Lab;
  readonly seed: string;
  /** The identity the learner's browser keeps, when it sent one. */
  readonly learner: string | null;
  readonly createdAt: Date;
  expiresAt: Date;
  /** How many times the learner extended the time limit. */
  extensions = 0;
  state: SessionState = 'starting';
  /** What is happening now, or why the session failed or ended. */
  message = 'Starting the sandbox…';
  endReason: EndReason | undefined;
  /** How many sandboxes provisioning needed (a failed start is retried once). */
  attempts = 0;
  /** Seconds each phase of the last start attempt took (signals.ts, START_PHASES). */
  phases: Partial<Record<StartPhase, number>> = {};
  /** Full text of the error that failed the session (for logs and lab authors; learners see `message`). */
  failure: string | undefined;
  lastActivity: number;
  /** Terminal WebSockets attached now; a session with one is not idle. */
  terminals = 0;
  /** The engine reported the OOM killer in this sandbox (it may survive that; if it dies, that is why). */
  oomAt = 0;
  sandbox: Sandbox | undefined;
  runner: LabRunner | undefined;
  /** Whether it was handed a warm sandbox (its start is a claim, over in milliseconds). */
  warm = false;
  /** Settles when the store has the session; rejects if it could not record it. */
  stored: Promise<void> = Promise.resolve();
  /** Settles when provisioning is over, whatever its outcome. */
  provisioned: Promise<void> = Promise.resolve();
  /** Settles when the sandbox of an ended session has been removed. */
  removed: Promise<void> | undefined;
  /** The last message the learner's class was sent, shown again to a terminal that attaches. */
  lastBroadcast: Broadcast | undefined;
  /** Who watches the learner's terminal now; the learner's page always says so. */
  readonly watchers = new Map<string, Watcher>();
  /** The task whose solution is being applied now (one at a time; Check waits its turn). */
  solving: string | undefined;
  /** Checks running now: a solution starts only once they are over (solutions.ts). */
  readonly checking = new Set<Promise<unknown>>();
  /** A watcher asking to type, or typing with the learner's consent (takeover.ts). */
  takeover: Takeover | undefined;
  /** Each task's latest verdict in this server's memory, from Check or a live check. */
  readonly verdicts = new Map<string, CheckResult>();
  /** Checks of this session running now (Check and live), and when the last one ended. */
  checksRunning = 0;
  lastCheckEndedAt = 0;

  constructor(init: {
    id: string;
    token?: string;
    tokenHash?: string;
    lab: Lab;
    seed: string;
    learner?: string | null;
    createdAt: Date;
    expiresAt: Date;
  }) {
    super();
    this.id = init.id;
    this.token = init.token;
    this.tokenHash = init.tokenHash ?? hashToken(init.token ?? '');
    this.lab = init.lab;
    this.seed = init.seed;
    this.learner = init.learner ?? null;
    this.createdAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.lastActivity = init.createdAt.getTime();
  }

  /** The session a store record describes, as it was last recorded (no sandbox attached). */
  static fromRecord(record: SessionRecord, lab: Lab): Session {
    const session = new Session({
      id: record.id,
      tokenHash: record.tokenHash,
      lab,
      seed: record.seed,
      learner: record.learner,
      createdAt: new Date(record.createdAt),
      expiresAt: new Date(record.expiresAt),
    });
    session.extensions = record.extensions;
    session.state = record.state as SessionState;
    session.message = record.message;
    session.endReason = (record.endReason ?? undefined) as EndReason | undefined;
    return session;
  }

  get live(): boolean {
    return this.state === 'starting' || this.state === 'ready';
  }

  /** Whether `token` is this session's, in constant time. */
  accepts(token: string): boolean {
    return timingSafeEqual(
      Buffer.from(hashToken(token), 'hex'),
      Buffer.from(this.tokenHash, 'hex'),
    );
  }

  setState(state: SessionState, message: string): void {
    // Ended or failed is final. Work begun for the session may still report
    // progress once it is over (a lab being prepared for its first learner says
    // so when it is done), and must not bring it back, with a sandbox nobody removes.
    if (!this.live) return;
    // The idle clock starts when the learner gets the prompt, not while they wait for it.
    if (state === 'ready') this.touch();
    this.state = state;
    this.message = message;
    this.emit('state');
  }

  /**
   * The learner (or their page) did something. A paused sandbox resumes now: keys
   * typed meanwhile wait in its terminal's input, and reach the shell once it runs.
   */
  touch(): void {
    this.lastActivity = Date.now();
    // A resume that fails is tried again by whatever enters the sandbox next.
    if (this.sandbox?.paused) this.sandbox.resume().catch(() => undefined);
  }
}

/** One learner's session: a sandbox for one lab, reachable only with its token. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Lab } from '../../lab-format/load.ts';
import type { EndReason } from '../../protocol/end-reasons.ts';
import type { SessionState } from '../../protocol/session.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { StartPhase } from '../signals.ts';
import type { LabRunner } from './lab-runner.ts';

export interface SessionEvents {
  state: [];
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
  /** Settles when provisioning is over, whatever its outcome. */
  provisioned: Promise<void> = Promise.resolve();
  /** Settles when the sandbox of an ended session has been removed. */
  removed: Promise<void> | undefined;

  constructor(init: {
    id: string;
    token?: string;
    tokenHash?: string;
    lab: Lab;
    seed: string;
    createdAt: Date;
    expiresAt: Date;
  }) {
    super();
    this.id = init.id;
    this.token = init.token;
    this.tokenHash = init.tokenHash ?? hashToken(init.token ?? '');
    this.lab = init.lab;
    this.seed = init.seed;
    this.createdAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.lastActivity = init.createdAt.getTime();
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
    // The idle clock starts when the learner gets the prompt, not while they wait for it.
    if (state === 'ready') this.touch();
    this.state = state;
    this.message = message;
    this.emit('state');
  }

  touch(): void {
    this.lastActivity = Date.now();
  }
}

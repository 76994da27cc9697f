/** One learner's session: a sandbox for one lab, reachable only with its token. */
import { EventEmitter } from 'node:events';
import type { Lab } from '../../lab-format/load.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { LabRunner } from './lab-runner.ts';

export type SessionState = 'starting' | 'ready' | 'failed' | 'ended';
export type EndReason = 'stopped' | 'idle' | 'expired' | 'failed' | 'shutdown';

export const END_MESSAGES: Record<EndReason, string> = {
  stopped: 'The sandbox was stopped and removed.',
  idle: 'The sandbox was removed because nobody used it for a while.',
  expired: 'The sandbox reached its time limit and was removed.',
  failed: 'The sandbox could not be started.',
  shutdown: 'The lab server shut down; the sandbox was removed.',
};

export interface SessionEvents {
  state: [];
}

export class Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly token: string;
  readonly lab: Lab;
  readonly seed: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  state: SessionState = 'starting';
  /** What is happening now, or why the session failed or ended. */
  message = 'Starting the sandbox…';
  endReason: EndReason | undefined;
  /** How many sandboxes provisioning needed (a failed start is retried once). */
  attempts = 0;
  /** Full text of the error that failed the session (for logs and lab authors; learners see `message`). */
  failure: string | undefined;
  lastActivity: number;
  sandbox: Sandbox | undefined;
  runner: LabRunner | undefined;
  /** Settles when provisioning is over, whatever its outcome. */
  provisioned: Promise<void> = Promise.resolve();
  /** Settles when the sandbox of an ended session has been removed. */
  removed: Promise<void> | undefined;

  constructor(init: { id: string; token: string; lab: Lab; seed: string; createdAt: Date; expiresAt: Date }) {
    super();
    this.id = init.id;
    this.token = init.token;
    this.lab = init.lab;
    this.seed = init.seed;
    this.createdAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.lastActivity = init.createdAt.getTime();
  }

  get live(): boolean {
    return this.state === 'starting' || this.state === 'ready';
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

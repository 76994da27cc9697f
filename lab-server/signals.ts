/**
 * What the platform reports while it works, for whoever watches (the metrics
 * today). Domain code emits these and never learns who listens, so it stays
 * free of Prometheus and of HTTP; app.ts wires one instance per app.
 */
import { EventEmitter } from 'node:events';
import type { PreviewOutcome } from './preview/preview-host.ts';
import type { SessionEvent } from './sessions/session-events.ts';

/** Why a learner was not given a sandbox (or a request was not served) at once. */
export type RefusalCause =
  /** DRYDOCK_API_RATE: too many API requests from one client in a minute. */
  | 'api-rate'
  /** DRYDOCK_CREATE_RATE: too many sandboxes created by one client in a minute. */
  | 'create-rate'
  /** DRYDOCK_SESSIONS_PER_CLIENT: the client already has as many as it may. */
  | 'sessions-per-client'
  /** No room on the host: the learner got a place in the waiting line. */
  | 'waiting'
  /** No room, and the waiting line itself is full. */
  | 'line-full';

/**
 * The phases of a start, in order. A cold start: the container created and
 * started, its inner engine answering, the lab's files copied in, its images
 * loaded (for a lab with a prepare script: its prepared engine state unpacked,
 * before the engine starts), its setup script run, the learner's shell started (with a terminal
 * attached that the first one takes over). A warm start has one: `claim`, a warm sandbox
 * bound to the session. (The terminal's attach comes after ready.)
 */
export const START_PHASES = [
  'sandbox',
  'engine',
  'files',
  'images',
  'setup',
  'shell',
  'claim',
] as const;
export type StartPhase = (typeof START_PHASES)[number];

export interface SignalMap {
  /** Every change to a session (sessions/session-events.ts), after the store recorded it. */
  session: [SessionEvent];
  'image-built': [{ image: string; seconds: number }];
  'admission-refused': [{ cause: RefusalCause }];
  /**
   * One live-check run of a session (live-checks/): why it ran, the time its checks
   * took, and how many tasks' verdicts it changed.
   */
  'live-check': [{ lab: string; cause: 'engine' | 'terminal'; seconds: number; changed: number }];
  /** A session's live checks wait: it spent its live-check budget. */
  'live-check-deferred': [{ lab: string }];
  /** One attempt to send the results webhook: taken, to be tried again, or the last one failed. */
  'webhook-delivery': [{ outcome: 'delivered' | 'retried' | 'gave-up' }];
  /** One request to a preview's host, and what became of it (preview/preview-host.ts). */
  'preview-request': [{ outcome: PreviewOutcome }];
}

export class Signals extends EventEmitter<SignalMap> {}

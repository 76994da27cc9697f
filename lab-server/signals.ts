/**
 * What the platform reports while it works, for whoever watches (the metrics
 * today). Domain code emits these and never learns who listens, so it stays
 * free of Prometheus and of HTTP; app.ts wires one instance per app.
 */
import { EventEmitter } from 'node:events';
import type { EndReason } from '../protocol/end-reasons.ts';

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
 * The phases of a cold start, in order: the container created and started, its
 * inner engine answering, the lab's files copied in, its images loaded, its setup
 * script run (the shell's attach comes after ready, in the terminal).
 */
export const START_PHASES = ['sandbox', 'engine', 'files', 'images', 'setup'] as const;
export type StartPhase = (typeof START_PHASES)[number];

export interface SignalMap {
  /** A learner asked for a sandbox and got one (it starts now). */
  'session-started': [{ lab: string }];
  /** The sandbox is ready: the learner gets a prompt `seconds` after Start; `phases` in seconds each (the last attempt's). */
  'session-ready': [{ lab: string; seconds: number; phases: Partial<Record<StartPhase, number>> }];
  'session-ended': [{ lab: string; reason: EndReason }];
  'check-run': [{ lab: string; task: string; passed: boolean }];
  'image-built': [{ image: string; seconds: number }];
  'admission-refused': [{ cause: RefusalCause }];
}

export class Signals extends EventEmitter<SignalMap> {}

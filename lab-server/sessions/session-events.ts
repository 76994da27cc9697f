/**
 * What can happen to a session, as one typed event. The session manager emits
 * each one from one place (it records it in the store and signals it); metrics,
 * logs and, later, an instructor's view listen without knowing each other.
 */
import type { EndReason } from '../../protocol/end-reasons.ts';
import type { TakeoverOutcome } from '../../protocol/terminal-messages.ts';
import type { StartPhase } from '../signals.ts';

export type SessionChange =
  /** A learner pressed Start and was admitted; `learner` is the browser's identity when it sent one. */
  | { type: 'created'; learner: string | null }
  /** The sandbox is ready: the learner gets a prompt `seconds` after Start; `phases` in seconds each (the last attempt's). */
  | {
      type: 'ready';
      seconds: number;
      attempts: number;
      phases: Partial<Record<StartPhase, number>>;
    }
  /** A restarted server took the session back with its sandbox. */
  | { type: 'adopted' }
  /**
   * Check was pressed: every task's verdict, with its message cut to CHECK_MESSAGE_CHARS.
   * `live`: a live check, with only the tasks whose verdict it changed (docs/live-checks.md).
   */
  | {
      type: 'checked';
      results: { task: string; passed: boolean; message: string }[];
      live?: true;
    }
  /**
   * The lab's solution was applied: the learner skipped `task`. `shown` is every task
   * whose solve step ran, in the lab's order (`task` last): they count as shown, not
   * passed, from now on. Recorded just before the `checked` that follows it.
   */
  | { type: 'solution-applied'; task: string; shown: string[]; seconds: number }
  /** The time limit moved: by the learner's extension or by the operator's. */
  | {
      type: 'extended';
      expiresAt: string;
      extensions: number;
      by: 'learner' | 'operator' | 'instructor';
    }
  | { type: 'ended'; reason: EndReason; message: string }
  /** Someone began watching the learner's terminal (the audit log of who looked, and when). */
  | { type: 'watch-started'; watcher: string; by: string }
  /** The learner's class was sent a message while this session lived. */
  | { type: 'broadcast'; from: string; message: string }
  /** They stopped, after `seconds`. */
  | { type: 'watch-ended'; watcher: string; by: string; seconds: number }
  /** A watcher asked to type in the learner's terminal (takeover.ts). */
  | { type: 'takeover-asked'; watcher: string; by: string }
  /** The learner accepted: from now on the watcher's keys reach the shell. */
  | { type: 'takeover-granted'; watcher: string; by: string }
  /** It is over (or never began), and why; `seconds` of typing (0 if never granted). */
  | {
      type: 'takeover-ended';
      watcher: string;
      by: string;
      outcome: TakeoverOutcome;
      seconds: number;
    };

/**
 * How much of a check's message an event keeps: enough for an instructor to see
 * what is wrong (the whole message stays in the session's check results), while a
 * class's events stay small enough to read back at once.
 */
export const CHECK_MESSAGE_CHARS = 500;

export type SessionEventType = SessionChange['type'];

/** A change with the session it happened to and when. */
export type SessionEvent = SessionChange & { sessionId: string; lab: string; at: number };

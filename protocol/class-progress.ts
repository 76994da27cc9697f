/**
 * A class's progress on the wire (issue #11's live dashboard): every learner
 * by every task of the class's labs, with where each one is and where the
 * class is stuck. `GET /api/classes/:id/progress` answers one; the dashboard's
 * WebSocket (`/api/classes/:id/live`) sends one at once and another after each
 * change. Everything a learner controls (display name, check messages) is data
 * here: a page shows it as text. Free of Node-only APIs: the browser bundles it.
 */
import * as z from 'zod/mini';
import { ClassAccessSchema } from './class-staff.ts';

/**
 * shown: the learner had the lab's solution applied for the task (a skip): it
 * is done, but not by them, and stays so whatever later checks say.
 */
export const TASK_STATES = ['passed', 'shown', 'failing', 'not-started'] as const;

/**
 * connected: a terminal of theirs is open now; idle: a live sandbox, but no
 * terminal open or nothing typed for IDLE_AFTER_MS; gone: their sessions have
 * ended; not-started: no Start yet.
 */
export const PRESENCE = ['connected', 'idle', 'gone', 'not-started'] as const;
export const IDLE_AFTER_MS = 5 * 60_000;

export const TaskCellSchema = z.object({
  task: z.string(),
  state: z.enum(TASK_STATES),
  attempts: z.int().check(z.nonnegative()),
  firstPassedAt: z.optional(z.iso.datetime()),
  /** When the solution was applied for it (state `shown`). */
  shownAt: z.optional(z.iso.datetime()),
  /** The latest check's message for the task (a failing one is what they are up against). */
  lastMessage: z.optional(z.string()),
});
export type TaskCell = z.infer<typeof TaskCellSchema>;

export const LearnerProgressSchema = z.object({
  memberId: z.string(),
  displayName: z.string(),
  presence: z.enum(PRESENCE),
  /** The live session the instructor may watch, if any. */
  sessionId: z.optional(z.string()),
  /** The lab they worked in last, and the first task there that does not pass now. */
  currentLab: z.optional(z.string()),
  currentTask: z.optional(z.string()),
  /** Since when that task has stood in their way. */
  onTaskSince: z.optional(z.iso.datetime()),
  /** Checks that failed a task, across the class's labs. */
  failedChecks: z.int().check(z.nonnegative()),
  /** Per lab slug: a cell per task, in the lab's order. */
  labs: z.record(z.string(), z.array(TaskCellSchema)),
});
export type LearnerProgress = z.infer<typeof LearnerProgressSchema>;

export const StuckPointSchema = z.object({
  lab: z.string(),
  task: z.string(),
  learners: z.int().check(z.positive()),
  commonMessage: z.optional(
    z.object({ message: z.string(), learners: z.int().check(z.positive()) }),
  ),
});
export type StuckPointView = z.infer<typeof StuckPointSchema>;

export const ClassProgressSchema = z.object({
  classId: z.string(),
  name: z.string(),
  labs: z.array(
    z.object({
      slug: z.string(),
      title: z.string(),
      tasks: z.array(z.object({ id: z.string(), title: z.string() })),
    }),
  ),
  learners: z.array(LearnerProgressSchema),
  /** Where most learners are failing now: where to pause and explain. */
  stuck: z.optional(StuckPointSchema),
  /** When the server made this picture. */
  at: z.iso.datetime(),
});
export type ClassProgress = z.infer<typeof ClassProgressSchema>;

/**
 * What the dashboard's WebSocket (`/api/classes/:id/live`) sends: the whole
 * picture at once, then again within a moment of every Start or Check in the
 * class's labs, and every few seconds for presence and new members; with
 * what the viewer may do in the class, asked again each time (a helper whose
 * grant changed sees it change; one taken off the class is closed out).
 */
export const ClassLiveMessageSchema = z.object({
  type: z.literal('progress'),
  progress: ClassProgressSchema,
  you: ClassAccessSchema,
});
export type ClassLiveMessage = z.infer<typeof ClassLiveMessageSchema>;

/**
 * The results webhook on the wire (issue #11): what the server POSTs to
 * DRYDOCK_WEBHOOK_URL when a learner completes a task, signed per Standard
 * Webhooks (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * The envelope is the spec's recommended one: `type`, `timestamp`, `data`.
 * A receiver in TypeScript may parse the verified body with this schema.
 * Display names are the learner's own words: a receiver shows them as text.
 */
import * as z from 'zod/mini';

export const TASK_COMPLETED = 'task.completed';

export const TaskCompletedSchema = z.object({
  type: z.literal(TASK_COMPLETED),
  /** When the task completed (the same as data.passedAt). */
  timestamp: z.iso.datetime(),
  data: z.object({
    /** The session the task passed in: a Start of a lab (a reset starts another). */
    sessionId: z.string(),
    lab: z.object({ slug: z.string(), title: z.string() }),
    task: z.object({ id: z.string(), title: z.string() }),
    /** The Check at which the task passed for the first time in this session. */
    passedAt: z.iso.datetime(),
    /** Checks in this session that judged the task, up to and including that one. */
    attempts: z.int().check(z.positive()),
    /**
     * Time the task stood in the learner's way in this session: from their last
     * step forward (the Start, or another task's first pass) to this pass.
     */
    timeSpentSeconds: z.optional(z.int().check(z.nonnegative())),
    /** Only when the session's learner is a member of a class with this lab. */
    class: z.optional(z.object({ id: z.string(), name: z.string() })),
    member: z.optional(z.object({ id: z.string(), displayName: z.string() })),
  }),
});
export type TaskCompleted = z.infer<typeof TaskCompletedSchema>;

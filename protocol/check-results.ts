/** The answer to `POST /api/sessions/:id/check`: one verdict per task of the lab. */
import * as z from 'zod/mini';

export const CheckResultSchema = z.object({
  /** The task's id in the lab manifest. */
  task: z.string(),
  passed: z.boolean(),
  /** What the check printed (capped by the server), for the learner. */
  output: z.string(),
  durationMs: z.number().check(z.nonnegative()),
  /**
   * The lab's solution was applied for this task in this session (`POST
   * …/tasks/:task/solution`): it counts as shown, not as passed, whatever
   * `passed` (the check's verdict) says, in this session's every later answer.
   */
  shown: z.optional(z.literal(true)),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const CheckResponseSchema = z.object({
  results: z.array(CheckResultSchema),
  checkedAt: z.iso.datetime(),
});
export type CheckResponse = z.infer<typeof CheckResponseSchema>;

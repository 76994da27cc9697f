/** The answer to `POST /api/sessions/:id/check`: one verdict per task of the lab. */
import * as z from 'zod/mini';

export const CheckResultSchema = z.object({
  /** The task's id in the lab manifest. */
  task: z.string(),
  passed: z.boolean(),
  /** What the check printed (capped by the server), for the learner. */
  output: z.string(),
  durationMs: z.number().check(z.nonnegative()),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const CheckResponseSchema = z.object({
  results: z.array(CheckResultSchema),
  checkedAt: z.iso.datetime(),
});
export type CheckResponse = z.infer<typeof CheckResponseSchema>;

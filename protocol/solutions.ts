/**
 * Skipping a task with its solution (`POST /api/sessions/:id/tasks/:task/solution`):
 * the server runs the lab's solve step of that task, and of each earlier task
 * whose latest verdict is not a pass, in the learner's sandbox, then checks
 * every task. The tasks it solved count as shown, not passed (check-results.ts).
 */
import * as z from 'zod/mini';
import { CheckResultSchema } from './check-results.ts';

/** One solve step as it ran: `solve.sh <task>`, as the learner's shell would run it. */
export const SolutionStepSchema = z.object({
  task: z.string(),
  /** What the step printed (capped by the server). */
  output: z.string(),
  durationMs: z.number().check(z.nonnegative()),
});
export type SolutionStep = z.infer<typeof SolutionStepSchema>;

export const SolutionResponseSchema = z.object({
  /** The task asked for. */
  task: z.string(),
  /** Every task whose solve step ran, in the lab's order (`task` last): each now counts as shown. */
  shown: z.array(z.string()),
  steps: z.array(SolutionStepSchema),
  /** The check of every task after the steps, as `POST …/check` answers it. */
  results: z.array(CheckResultSchema),
  checkedAt: z.iso.datetime(),
});
export type SolutionResponse = z.infer<typeof SolutionResponseSchema>;

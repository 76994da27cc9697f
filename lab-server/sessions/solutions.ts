/**
 * Skipping a task with its solution (issue #12): the lab's solve script for that
 * task (`solve.sh <task>`, which assumes the tasks before it are done) runs in the learner's sandbox as their shell would run it, after the
 * solve step of each earlier task whose latest verdict is not a pass. The
 * learner's own passing work is left alone. Free of HTTP: what goes wrong is an
 * AppError code the API answers with (errors.ts), as elsewhere in sessions/.
 */
import type { Lab } from '../../lab-format/load.ts';
import { AppError } from '../errors.ts';
import type { LabRunner } from './lab-runner.ts';

/**
 * A solve step may take this long: as long as the lab contract gives the whole solve
 * script (labs/verify.ts), since a step may build an image in a busy sandbox.
 */
export const SOLVE_STEP_TIMEOUT_MS = 300_000;
/** How much of a failed step's output the learner is shown (its end: where it failed). */
const FAILURE_OUTPUT_CHARS = 2000;

export interface StepRun {
  task: string;
  output: string;
  durationMs: number;
}

/**
 * The tasks whose solve step runs when `task` is skipped, in the lab's order:
 * every task up to and including it whose latest verdict is not a pass.
 * `passing`: the tasks whose latest check in the session passed.
 */
export function solveSteps(
  taskIds: readonly string[],
  task: string,
  passing: ReadonlySet<string>,
): string[] {
  const upTo = taskIds.indexOf(task);
  if (upTo < 0) throw new AppError('TASK_NOT_FOUND', `This lab has no task called "${task}".`);
  if (passing.has(task))
    throw new AppError(
      'TASK_ALREADY_PASSED',
      'This task already passes in your sandbox: there is no solution to apply.',
    );
  return taskIds.slice(0, upTo + 1).filter((id) => !passing.has(id));
}

/** Runs the steps in order; the first that fails stops the rest, and the learner is told why. */
export async function runSolveSteps(
  lab: Lab,
  runner: LabRunner,
  steps: readonly string[],
): Promise<StepRun[]> {
  const ran: StepRun[] = [];
  for (const task of steps) {
    const started = Date.now();
    const result = await runner.run(lab.manifest.solve, SOLVE_STEP_TIMEOUT_MS, 'shell', [task]);
    const output = result.output.trim();
    if (result.exitCode !== 0 || result.timedOut) {
      const title = lab.manifest.tasks.find((t) => t.id === task)?.title ?? task;
      const why = result.timedOut
        ? `did not finish within ${SOLVE_STEP_TIMEOUT_MS / 1000} s`
        : `failed (exit ${result.exitCode})`;
      throw new AppError(
        'SOLUTION_FAILED',
        `The solution of “${title}” ${why} in your sandbox, so nothing was marked as shown.` +
          (output ? ` It printed:\n${output.slice(-FAILURE_OUTPUT_CHARS)}` : ''),
      );
    }
    ran.push({ task, output, durationMs: Date.now() - started });
  }
  return ran;
}

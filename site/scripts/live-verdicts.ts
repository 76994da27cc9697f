/**
 * Live checks on the lab page (docs/live-checks.md): the server re-checks tasks
 * while the learner works and sends the verdicts it changed over the terminal
 * socket (`live-check`). What the page shows of them is calm on purpose:
 *
 * - a pass flips the task to Passed, once (the task's output region, which is
 *   aria-live, says so in one sentence; a short highlight, none with reduced
 *   motion);
 * - a failure shows nothing new, unless the task is shown as passed: then it
 *   broke, and the learner is told it no longer passes and why;
 * - a task that already shows the same verdict is left alone, so a reconnect
 *   (which sends every verdict known) repeats nothing.
 *
 * Check stays the explicit verdict: it shows every task's message, failures too.
 */
import type { CheckResult } from '../../protocol/check-results.ts';
import '../styles/live-checks.css';
import type { TaskList } from './task-list.ts';

/** How long a flipped task stays highlighted. */
const HIGHLIGHT_MS = 2500;

/** The results of a live check this page shows: passes not shown yet, and breaks of shown passes. */
export function newsIn(
  results: readonly CheckResult[],
  stateOf: (task: string) => string | undefined,
): CheckResult[] {
  return results.filter((result) => {
    const shown = stateOf(result.task);
    if (shown === undefined) return false;
    return result.passed ? shown !== 'passed' : shown === 'passed';
  });
}

export class LiveVerdicts {
  readonly #root: HTMLElement;
  readonly #tasks: TaskList;
  readonly #remember: (shown: CheckResult[]) => void;

  /** `remember` keeps what was shown in this browser's progress, as Check does. */
  constructor(root: HTMLElement, tasks: TaskList, remember: (shown: CheckResult[]) => void) {
    this.#root = root;
    this.#tasks = tasks;
    this.#remember = remember;
  }

  /** A `live-check` message's results; returns those shown. */
  show(results: readonly CheckResult[]): CheckResult[] {
    const shown = newsIn(results, (task) => this.#tasks.stateOf(task));
    if (shown.length === 0) return shown;
    this.#tasks.showResults(shown, { live: true });
    for (const result of shown) {
      const task = this.#root.querySelector<HTMLElement>(
        `[data-task="${CSS.escape(result.task)}"]`,
      );
      if (!task) continue;
      task.dataset.liveFlip = result.passed ? 'passed' : 'broke';
      setTimeout(() => delete task.dataset.liveFlip, HIGHLIGHT_MS);
    }
    this.#remember(shown);
    return shown;
  }
}

/**
 * The task list beside the terminal: hints revealed one at a time, the solution
 * behind a button, and each task's check verdict (pill + output). Works without
 * a session, so the instructions stay usable when labs are unavailable.
 */
import type { CheckResult } from '../../protocol/check-results.ts';

/** shown: the lab's solution was applied (a skip): done, but not a pass. */
export type TaskState = 'pending' | 'passed' | 'failed' | 'shown';

const PILL_TEXT: Record<TaskState, string> = {
  pending: 'Pending',
  passed: 'Passed',
  failed: 'Failed',
  shown: 'Solution applied',
};

export class TaskList {
  readonly #tasks = new Map<string, HTMLElement>();

  constructor(root: HTMLElement) {
    for (const task of root.querySelectorAll<HTMLElement>('[data-task]')) {
      this.#tasks.set(task.dataset.task!, task);
      this.#wireHints(task);
      this.#wireSolution(task);
    }
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** Every task's id, in the lab's order. */
  get ids(): string[] {
    return [...this.#tasks.keys()];
  }

  reset(): void {
    for (const id of this.#tasks.keys()) this.#setState(id, 'pending');
  }

  /** A task's state as shown now (undefined for a task this page does not know). */
  stateOf(id: string): TaskState | undefined {
    return this.#tasks.get(id)?.dataset.state as TaskState | undefined;
  }

  /**
   * Applies a check's results; returns how many tasks passed. `live`: results of a
   * live check (live-verdicts.ts decides which it shows), worded as such.
   */
  showResults(results: CheckResult[], options: { live?: boolean } = {}): number {
    let passed = 0;
    for (const result of results) {
      if (!this.#tasks.has(result.task)) {
        console.warn(`[drydock] the check reported a task this page does not know: ${result.task}`);
        continue;
      }
      if (result.passed && !result.shown) passed++;
      this.#setState(
        result.task,
        result.shown ? 'shown' : result.passed ? 'passed' : 'failed',
        result,
        options.live,
      );
    }
    return passed;
  }

  /** How many tasks show their solution applied. */
  get shownCount(): number {
    return [...this.#tasks.values()].filter((task) => task.dataset.state === 'shown').length;
  }

  #setState(id: string, state: TaskState, result?: CheckResult, live = false): void {
    const task = this.#tasks.get(id)!;
    task.dataset.state = state;
    const pill = task.querySelector<HTMLElement>('[data-pill]');
    if (pill) pill.textContent = PILL_TEXT[state];

    // The lesson section that explains the task, beside the message of a failing check.
    const why = task.querySelector<HTMLElement>('[data-why]');
    if (why) why.hidden = state !== 'failed';
    const output = task.querySelector<HTMLElement>('[data-testid="task-output"]')!;
    output.replaceChildren();
    if (!result) return;
    const seconds = (result.durationMs / 1000).toFixed(1);
    const title = task.querySelector('[data-task-title]')?.textContent ?? id;
    const summary = document.createElement('p');
    summary.className = 'task-output-summary';
    summary.textContent = result.shown
      ? `Solution applied: “${title}” counts as shown, not passed. The check says:`
      : live
        ? result.passed
          ? `Passed: “${title}”, checked as you worked.`
          : `No longer passes: “${title}”. The check says:`
        : result.passed
          ? `Passed: “${title}” (check took ${seconds} s).`
          : `Not yet: “${title}”. The check says:`;
    output.append(summary);
    const text = result.output.trimEnd();
    if (!result.passed || text) {
      const pre = document.createElement('pre');
      pre.className = 'task-output-text';
      pre.textContent = text || '(the check printed nothing; it exited with a failure)';
      pre.tabIndex = 0; // scrollable regions must be reachable by keyboard
      output.append(pre);
    }
  }

  #wireHints(task: HTMLElement): void {
    const button = task.querySelector<HTMLButtonElement>('[data-hint-button]');
    const hints = [...task.querySelectorAll<HTMLElement>('[data-hint]')];
    if (!button || hints.length === 0) return;
    const label = () => {
      const shown = hints.filter((hint) => !hint.hidden).length;
      if (shown === hints.length) {
        button.hidden = true;
        return;
      }
      button.textContent =
        shown === 0 ? `Show a hint` : `Show the next hint (${shown + 1} of ${hints.length})`;
    };
    button.addEventListener('click', () => {
      const next = hints.find((hint) => hint.hidden);
      if (!next) return;
      next.hidden = false;
      label();
      // The button may have gone: keep keyboard focus in the task.
      if (button.hidden) next.focus();
    });
    label();
  }

  #wireSolution(task: HTMLElement): void {
    const button = task.querySelector<HTMLButtonElement>('[data-solution-button]');
    const solution = task.querySelector<HTMLElement>('[data-solution]');
    if (!button || !solution) return;
    button.addEventListener('click', () => {
      const show = solution.hidden;
      solution.hidden = !show;
      button.setAttribute('aria-expanded', String(show));
      button.textContent = show ? 'Hide solution' : 'Show solution';
    });
  }
}

/**
 * "Apply this solution" in each task's Solution disclosure (SkipSolution.astro):
 * once the learner has read the solution, they may have the server run it in
 * their sandbox (`POST …/tasks/:task/solution`) after confirming in a modal
 * dialog that says what it does. The lab page lends it the session and the
 * status line; the answer's check results go to the task list as a Check's do,
 * with the tasks solved marked "Solution applied". Nothing is typed into the
 * terminal: the server runs the solve steps beside the learner's shell.
 */
import type { CheckResult } from '../../protocol/check-results.ts';
import { ApiError, applySolution } from './lab-api.ts';

export interface SkipHost {
  /** The live session, if there is one. */
  session(): { id: string; token: string } | undefined;
  /** Whether its sandbox can take a solution now (ready, no Check running). */
  ready(): boolean;
  /** The solution is being applied: the page shows it and holds Check. */
  busy(task: string): void;
  /** It was applied: the check after it, as a Check's results. */
  applied(results: CheckResult[]): void;
  /** It was not: the page is ready again (the task says why). */
  settled(): void;
  /** The session is gone (404). */
  gone(): void;
}

interface Skip {
  task: HTMLElement;
  apply: HTMLButtonElement;
  note: HTMLElement;
  status: HTMLElement;
  dialog: HTMLDialogElement;
}

/** The status line after a solution was applied: what is shown, what passes. */
export function appliedSummary(results: readonly CheckResult[]): string {
  const shown = results.filter((r) => r.shown).length;
  const passed = results.filter((r) => r.passed && !r.shown).length;
  const failing = results.length - shown - passed;
  return (
    `Solution applied: ${shown} task${shown === 1 ? '' : 's'} shown` +
    (passed > 0 ? `, ${passed} passed` : '') +
    (failing > 0 ? `, ${failing} not yet` : '') +
    '.'
  );
}

export class SkipSolution {
  readonly #skips: Skip[] = [];
  readonly #host: SkipHost;
  #running = false;

  constructor(root: HTMLElement, host: SkipHost) {
    this.#host = host;
    for (const element of root.querySelectorAll<HTMLElement>('[data-skip]')) {
      const task = element.closest<HTMLElement>('[data-task]');
      if (!task) continue;
      const skip: Skip = {
        task,
        apply: element.querySelector('[data-skip-apply]')!,
        note: element.querySelector('[data-skip-note]')!,
        status: element.querySelector('[data-skip-status]')!,
        dialog: element.querySelector('[data-skip-dialog]')!,
      };
      skip.apply.addEventListener('click', () => {
        if (!skip.apply.disabled) skip.dialog.showModal();
      });
      skip.dialog.addEventListener('close', () => {
        if (skip.dialog.returnValue === 'apply') void this.#run(skip);
        else skip.apply.focus();
        skip.dialog.returnValue = '';
      });
      this.#skips.push(skip);
    }
    this.update();
  }

  /** Enables each task's button as the session and the task's state allow, saying why not. */
  update(): void {
    const live = this.#host.session() !== undefined;
    const ready = live && this.#host.ready() && !this.#running;
    for (const skip of this.#skips) {
      const state = skip.task.dataset.state;
      const done = state === 'passed' || state === 'shown';
      skip.apply.disabled = !ready || done;
      skip.apply.hidden = done;
      skip.note.textContent =
        state === 'shown'
          ? 'The solution was applied: this task counts as shown, not passed.'
          : state === 'passed'
            ? 'This task passes: there is nothing to apply.'
            : live
              ? ''
              : 'Start the sandbox to apply it.';
    }
  }

  async #run(skip: Skip): Promise<void> {
    const session = this.#host.session();
    const id = skip.task.dataset.task!;
    if (!session || !this.#host.ready() || this.#running) return;
    this.#running = true;
    skip.status.dataset.kind = 'progress';
    skip.status.textContent = 'Applying the solution in your sandbox…';
    this.#host.busy(id);
    this.update();
    try {
      const answer = await applySolution(session.id, session.token, id);
      skip.status.textContent = '';
      this.#running = false;
      this.#host.applied(answer.results);
    } catch (error) {
      this.#running = false;
      if (error instanceof ApiError && error.status === 404 && error.code === 'SESSION_NOT_FOUND') {
        skip.status.textContent = '';
        this.#host.gone();
        return;
      }
      skip.status.dataset.kind = 'error';
      skip.status.textContent =
        error instanceof ApiError
          ? `The solution was not applied: ${error.message}`
          : 'The solution was not applied: something went wrong in this page; reload it and try again.';
      if (!(error instanceof ApiError)) console.error('[drydock]', error);
      this.#host.settled();
    } finally {
      this.update();
    }
  }
}

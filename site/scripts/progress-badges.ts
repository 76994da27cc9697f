/**
 * Fills the progress badges the labs index, the home page and lessons carry
 * for each lab (`data-progress-lab="<slug>"` with `data-progress-tasks="a b c"`,
 * the lab's task ids at build time) from the record this browser keeps. A lab
 * of a current class is shown by the class's rule (protocol/learner-progress.ts).
 * ProgressBadge.astro repaints them after every save, here or in another tab.
 */
import { standing } from '../../protocol/learner-progress.ts';
import { currentClassLabs, loadProgress } from './progress-store.ts';

function badgeText(passed: number, shown: number, total: number, done: boolean): string {
  const withSolution = shown === 1 ? '1 with the solution' : `${shown} with the solution`;
  if (done) return shown > 0 ? `Done, ${withSolution}` : 'Done';
  if (passed + shown > 0)
    return `${passed + shown} of ${total} done${shown > 0 ? `, ${withSolution}` : ''}`;
  return 'Tried';
}

export async function paintProgressBadges(root: ParentNode = document): Promise<void> {
  const badges = [...root.querySelectorAll<HTMLElement>('[data-progress-lab]')];
  if (badges.length === 0) return;
  const progress = loadProgress();
  const shown = badges.filter((badge) => progress.labs[badge.dataset.progressLab!]);
  // Only a browser with something to show asks the server about classes.
  const classLabs = shown.length > 0 ? await currentClassLabs() : new Set<string>();
  for (const badge of badges) {
    const slug = badge.dataset.progressLab!;
    const tasks = (badge.dataset.progressTasks ?? '').split(' ').filter(Boolean);
    const inClass = classLabs.has(slug);
    const { passed, shown, total, tried, done } = standing(progress.labs[slug], tasks, inClass);
    badge.hidden = !tried;
    badge.dataset.progress = !tried
      ? 'none'
      : done
        ? 'done'
        : passed + shown > 0
          ? 'partial'
          : 'tried';
    if (shown > 0) badge.dataset.shown = String(shown);
    else delete badge.dataset.shown;
    badge.textContent = tried ? badgeText(passed, shown, total, done) : '';
    badge.title = inClass
      ? 'From your checks in this browser, as your class counts them'
      : 'Remembered in this browser';
  }
}

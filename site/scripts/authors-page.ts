/**
 * The authors' page (/authors/, site/pages/authors.astro): every lab's starts
 * and completions, or one lab's figures task by task. Everything shown comes
 * from the API and is set as text: a check's message is whatever the check
 * printed, and a learner's files can be in it.
 */
import type { LabStats, LabStatsIndex, TaskStats } from '../../protocol/lab-stats.ts';
import { whoIsSignedIn } from './auth-api.ts';
import { labStats, labStatsIndex } from './lab-stats-api.ts';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const notice = $('[data-authors-notice]');
const main = $('[data-authors]');
const period = $<HTMLSelectElement>('[data-period]');
const index = $('[data-index]');
const detail = $('[data-detail]');

const slug = new URLSearchParams(location.search).get('lab');

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '–' : `${Math.round((part / whole) * 100)} %`;

/** 75 → "1 min 15 s"; 3600 → "1 h 0 min". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function showIndex(figures: LabStatsIndex) {
  const body = $('[data-index-table] tbody');
  body.replaceChildren(
    ...[...figures.labs]
      .sort((a, b) => b.started - a.started || a.title.localeCompare(b.title))
      .map((lab) => {
        const row = element('tr');
        const name = element('th');
        name.scope = 'row';
        const link = element('a', lab.title);
        link.href = `/authors/?lab=${encodeURIComponent(lab.lab)}`;
        name.append(link);
        row.append(
          name,
          element('td', String(lab.started), 'num'),
          element('td', String(lab.completed), 'num'),
          element('td', percent(lab.completed, lab.started), 'num'),
        );
        return row;
      }),
  );
  index.hidden = false;
}

/** One figure of a `<dl>`: a div holding its term and value, so that a grid lays out pairs. */
function tile(label: string, value: string, note?: string): HTMLElement {
  const pair = element('div');
  const data = element('dd', value);
  if (note) data.append(element('span', note, 'tile-note'));
  pair.append(element('dt', label), data);
  return pair;
}

function taskFigures(task: TaskStats, number: number): HTMLLIElement {
  const item = element('li', undefined, 'task-figure');
  item.dataset.task = task.id;
  const head = element('div', undefined, 'task-figure-head');
  head.append(element('span', String(number), 'task-number'), element('h4', task.title));
  item.append(head);

  // How many of those who reached it got through: the bar is the task's pass rate.
  const bar = element('div', undefined, 'pass-bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute(
    'aria-label',
    `${task.passed} of ${task.reached} who reached it passed (${percent(task.passed, task.reached)})`,
  );
  const fill = element('span');
  fill.style.inlineSize = task.reached ? `${(task.passed / task.reached) * 100}%` : '0';
  bar.append(fill);
  item.append(bar);

  const facts = element('dl', undefined, 'task-facts');
  facts.append(
    tile('Reached', String(task.reached)),
    tile('Passed', `${task.passed}`, ` ${percent(task.passed, task.reached)}`),
    tile('Median time', duration(task.medianSeconds)),
    tile('Failed checks', String(task.failedChecks)),
    tile('Stopped here', String(task.stoppedHere)),
    ...(task.shown ? [tile('Solution shown', String(task.shown))] : []),
  );
  item.append(facts);

  if (task.topFailures.length) {
    const heading = element('p', 'What its check said most when it failed', 'failures-title');
    const list = element('ul', undefined, 'failures');
    for (const failure of task.topFailures) {
      const entry = element('li');
      entry.append(
        element('q', failure.message),
        element(
          'span',
          `${failure.count}× in ${failure.sessions} session${failure.sessions === 1 ? '' : 's'}`,
          'failure-count',
        ),
      );
      list.append(entry);
    }
    item.append(heading, list);
  }
  return item;
}

function showDetail(figures: LabStats) {
  $('[data-detail-title]').textContent = figures.title;
  document.title = `${figures.title} · Lab figures`;
  $('[data-tiles]').replaceChildren(
    tile('Started', String(figures.started)),
    tile('Sandbox ready', String(figures.ready)),
    tile('Completed', String(figures.completed), ` ${percent(figures.completed, figures.started)}`),
    tile('Median time to complete', duration(figures.medianSecondsToComplete)),
    tile('Still running', String(figures.live)),
  );
  $('[data-task-figures]').replaceChildren(
    ...figures.tasks.map((task, i) => taskFigures(task, i + 1)),
  );
  detail.hidden = false;
}

async function load() {
  const days = Number(period.value);
  try {
    if (slug) showDetail(await labStats(slug, days));
    else showIndex(await labStatsIndex(days));
    notice.textContent = '';
  } catch (failure) {
    notice.textContent = (failure as Error).message;
  }
}

period.addEventListener('change', () => void load());

whoIsSignedIn()
  .then(async (status) => {
    if (!status.signedIn) {
      notice.textContent = 'Lab figures are for the people who write and run labs.';
      const link = element('a', 'Sign in');
      link.href = `/sign-in/?next=${encodeURIComponent(location.pathname + location.search)}`;
      notice.append(' ', link);
      return;
    }
    if (status.user.role === 'assistant' || status.user.role === 'learner') {
      notice.textContent = 'Lab figures are for instructors and admins; ask one of them.';
      return;
    }
    main.hidden = false;
    await load();
  })
  .catch((failure: Error) => (notice.textContent = failure.message));

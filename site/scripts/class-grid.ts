/**
 * The dashboard's roster by task: a table, one row a learner (name, presence,
 * the task in their way and for how long, failed checks, Watch), one column a
 * task, grouped by lab. A cell reads without colour: ✓ passed, ↷ solution shown
 * (the learner had the lab's solution applied), ✕ failing (with
 * the number of checks), · not checked yet, and says so to a screen reader.
 * A failing cell is a button, so its last check message is reachable by
 * keyboard as well as by hover (the page shows it in a tooltip). Everything a
 * learner controls (display names, check messages) is set as text. A helper
 * of the class gets Watch only if granted it, and no actions on learners.
 */
import type { ClassProgress, LearnerProgress, TaskCell } from '../../protocol/class-progress.ts';

export const PRESENCE_LABELS: Record<LearnerProgress['presence'], string> = {
  connected: 'Connected',
  idle: 'Idle',
  gone: 'Gone',
  'not-started': 'Not started',
};

export interface GridHandlers {
  /** The session watched now, whose button reads "Watching". */
  watching: string | undefined;
  /** Whether the viewer may watch learners' terminals (Watch buttons). */
  mayWatch: boolean;
  /** Whether the viewer may act on learners (the More menu). */
  mayAct: boolean;
  onWatch(learner: LearnerProgress): void;
  /** Reset, end or give more time to the learner's sandbox (the page confirms and says how it went). */
  onAct(learner: LearnerProgress, action: 'reset' | 'end' | 'extend' | 'forget'): void;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

const hidden = (text: string) => el('span', { className: 'sr-only', text });

/** "45 s", "4 min", "1 h 05 min": how long a learner has been on their task. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;

function taskCell(
  learner: LearnerProgress,
  task: { id: string; title: string },
  cell: TaskCell | undefined,
  current: boolean,
): HTMLTableCellElement {
  const state = cell?.state ?? 'not-started';
  const td = el('td', { className: 'cell' });
  td.dataset.state = state;
  if (current) td.dataset.current = '';
  if (state === 'passed') {
    td.append(el('span', { className: 'mark', text: '✓' }), hidden('Passed'));
    td.querySelector('.mark')!.setAttribute('aria-hidden', 'true');
  } else if (state === 'shown') {
    td.append(el('span', { className: 'mark', text: '↷' }), hidden('Solution shown'));
    td.querySelector('.mark')!.setAttribute('aria-hidden', 'true');
    td.title = 'The lab’s solution was applied for this task: shown, not passed';
  } else if (state === 'not-started') {
    td.append(el('span', { className: 'mark', text: '·' }), hidden('Not checked yet'));
    td.querySelector('.mark')!.setAttribute('aria-hidden', 'true');
  } else {
    const button = el(
      'button',
      { className: 'mark' },
      el('span', { text: '✕' }),
      el('small', { text: String(cell?.attempts ?? 0) }),
    );
    button.type = 'button';
    button.firstElementChild!.setAttribute('aria-hidden', 'true');
    button.lastElementChild!.setAttribute('aria-hidden', 'true');
    button.setAttribute(
      'aria-label',
      `${learner.displayName}, ${task.title}: failing after ${checks(cell?.attempts ?? 0)}`,
    );
    button.dataset.key = `cell:${learner.memberId}:${task.id}`;
    button.dataset.tip = cell?.lastMessage ?? 'The check said nothing.';
    const message = el('span', { className: 'sr-only', text: button.dataset.tip });
    message.id = `msg-${learner.memberId}-${task.id}`.replace(/[^\w-]/g, '_');
    button.setAttribute('aria-describedby', message.id);
    td.append(button, message);
  }
  return td;
}

function nowOn(progress: ClassProgress, learner: LearnerProgress): HTMLTableCellElement {
  const td = el('td', { className: 'now-on' });
  const lab = progress.labs.find((l) => l.slug === learner.currentLab);
  const task = lab?.tasks.find((t) => t.id === learner.currentTask);
  if (learner.presence === 'not-started') {
    td.append(el('span', { className: 'quiet', text: 'Not started' }));
  } else if (!task) {
    td.append(el('span', { className: 'done', text: 'Every task passed' }));
  } else {
    const title = el('span', { className: 'task-title', text: task.title });
    title.title = task.title;
    td.append(title);
    if (learner.onTaskSince) {
      const since = el('span', { className: 'on-for' });
      since.dataset.since = learner.onTaskSince;
      td.append(since);
    }
  }
  return td;
}

/** The rarer actions behind one disclosure, so a row stays one line. */
function learnerMenu(
  learner: LearnerProgress,
  live: boolean,
  handlers: GridHandlers,
): HTMLDetailsElement {
  const menu = el('details', { className: 'learner-menu' });
  const summary = el('summary', { text: 'More' });
  summary.setAttribute('aria-label', `More for ${learner.displayName}`);
  menu.append(summary);
  const list = el('div', { className: 'learner-menu-items' });
  const items = [
    ...(live
      ? ([
          ['extend', 'Give 30 more minutes'],
          ['reset', 'Reset the lab'],
          ['end', 'End the session'],
        ] as const)
      : []),
    ['forget', 'Delete their records'] as const,
  ];
  for (const [act, label] of items) {
    const item = el('button', { className: act === 'extend' ? '' : 'danger', text: label });
    item.type = 'button';
    item.dataset.action = act;
    item.addEventListener('click', () => {
      menu.open = false;
      handlers.onAct(learner, act);
    });
    list.append(item);
  }
  menu.append(list);
  return menu;
}

function learnerRow(
  progress: ClassProgress,
  learner: LearnerProgress,
  handlers: GridHandlers,
): HTMLTableRowElement {
  const row = el('tr');
  row.dataset.member = learner.memberId;
  const who = el('th', { className: 'learner' });
  who.scope = 'row';
  const presence = el(
    'span',
    { className: 'presence' },
    el('span', { className: 'dot' }),
    PRESENCE_LABELS[learner.presence],
  );
  presence.dataset.presence = learner.presence;
  presence.firstElementChild!.setAttribute('aria-hidden', 'true');
  who.append(el('span', { className: 'name', text: learner.displayName }), presence);
  row.append(who, nowOn(progress, learner));

  const failed = el('td', { className: 'failed', text: String(learner.failedChecks) });
  if (learner.failedChecks >= 3) failed.dataset.many = '';
  row.append(failed);

  for (const lab of progress.labs) {
    const cells = learner.labs[lab.slug] ?? [];
    lab.tasks.forEach((task, i) => {
      const cell = cells.find((c) => c.task === task.id) ?? cells[i];
      const current = learner.currentLab === lab.slug && learner.currentTask === task.id;
      row.append(taskCell(learner, task, cell, current));
    });
  }

  const action = el('td', { className: 'action' });
  const live =
    learner.sessionId !== undefined &&
    (learner.presence === 'connected' || learner.presence === 'idle');
  if (live && handlers.mayWatch) {
    const watching = handlers.watching === learner.sessionId;
    const button = el('button', { className: 'watch', text: watching ? 'Watching' : 'Watch' });
    button.type = 'button';
    button.dataset.key = `watch:${learner.memberId}`;
    button.setAttribute('aria-pressed', String(watching));
    button.setAttribute('aria-label', `${button.textContent} ${learner.displayName}’s terminal`);
    button.addEventListener('click', () => handlers.onWatch(learner));
    action.append(button);
  }
  if (handlers.mayAct) action.append(learnerMenu(learner, live, handlers));
  row.append(action);
  return row;
}

export function renderGrid(progress: ClassProgress, handlers: GridHandlers): HTMLTableElement {
  const table = el('table', { className: 'grid' });
  table.append(el('caption', { className: 'sr-only', text: 'Each learner’s progress, by task' }));
  const head = el('thead');
  const top = el('tr');
  const spanned = (text: string, className: string) => {
    const th = el('th', { className, text });
    th.scope = 'col';
    th.rowSpan = 2;
    return th;
  };
  top.append(
    spanned('Learner', 'learner'),
    spanned('Working on', 'now-on'),
    spanned('Failed checks', 'failed'),
  );
  const second = el('tr');
  for (const lab of progress.labs) {
    const group = el('th', { className: 'lab', text: lab.title });
    group.scope = 'colgroup';
    group.colSpan = Math.max(1, lab.tasks.length);
    group.title = lab.title;
    top.append(group);
    lab.tasks.forEach((task, i) => {
      const th = el(
        'th',
        { className: 'task' },
        el('span', { text: String(i + 1) }),
        hidden(task.title),
      );
      th.firstElementChild!.setAttribute('aria-hidden', 'true');
      th.scope = 'col';
      th.title = task.title;
      second.append(th);
    });
  }
  const watch = spanned('', 'action');
  watch.append(hidden('Terminal'));
  top.append(watch);
  head.append(top, second);

  const body = el('tbody');
  for (const learner of progress.learners) body.append(learnerRow(progress, learner, handlers));
  table.append(head, body);
  return table;
}

/**
 * The controller of /classes/live/?id=<class>: the class's live feed into the
 * roster by task (class-grid.ts), the class's totals, where most learners are
 * stuck, and a read-only view of a learner's terminal (watch-panel.ts). The
 * grid is redrawn only when the picture changed, keeping the keyboard focus
 * where it was; times on task tick here, corrected for the server's clock.
 * What the viewer may do comes with every picture: a helper of the class sees
 * no messages, results or learner actions, and Watch only if granted it; the
 * class's instructor also gets the Staff panel (class-staff-panel.ts).
 */
import type { ClassProgress, LearnerProgress } from '../../protocol/class-progress.ts';
import type { ClassAccess } from '../../protocol/class-staff.ts';
import { CLASS_ID } from '../../protocol/classes.ts';
import { actOnLearner, broadcastToClass, forgetLearner } from './class-api.ts';
import { duration, renderGrid } from './class-grid.ts';
import { ClassLiveFeed, type FeedRefusal } from './class-live-feed.ts';
import { StaffPanel } from './class-staff-panel.ts';
import { WatchPanel } from './watch-panel.ts';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const notice = $('[data-dashboard-notice]');
const dashboard = $('[data-dashboard]');
const liveState = $('[data-live-state]');
const liveText = $('[data-live-text]');
const gridBox = $('[data-grid]');
const stuckBox = $('[data-stuck]');
const tip = $('[data-cell-tip]');

let progress: ClassProgress | undefined;
/** What this viewer may do in the class, as the latest picture said; nothing until then. */
let you: ClassAccess = { role: 'staff', mayWatch: false, mayAct: false };
/** The picture drawn last, without its time: an unchanged one is not redrawn. */
let drawn = '';
/** Our clock minus the server's, from the latest picture. */
let skew = 0;
let receivedAt = 0;
let feed: ClassLiveFeed | undefined;

function refuse(message: string, link?: { href: string; text: string }): void {
  notice.textContent = message;
  if (link) {
    const anchor = document.createElement('a');
    anchor.href = link.href;
    anchor.textContent = link.text;
    notice.append(' ', anchor);
  }
}

const watch = new WatchPanel(
  {
    panel: $('[data-watch-panel]'),
    title: $('[data-watch-title]'),
    status: $('[data-watch-status]'),
    mount: $('[data-watch-mount]'),
    close: $('[data-watch-close]'),
    takeover: $('[data-watch-takeover]'),
    badge: $('[data-watch-badge]'),
  },
  () => {
    const key = watchedKey;
    watchedKey = undefined;
    draw(true);
    if (key) gridBox.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  },
);
let watchedKey: string | undefined;

function onWatch(learner: LearnerProgress): void {
  if (!learner.sessionId || !you.mayWatch) return;
  watchedKey = `watch:${learner.memberId}`;
  void watch.open(learner.sessionId, learner.displayName);
  draw(true);
  $('[data-watch-title]').focus();
  $('[data-watch-panel]').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

const ACT_CONFIRM = {
  reset: (name: string) =>
    `Reset ${name}’s lab? Their sandbox is removed with what they did in it; Start gives them a fresh one.`,
  end: (name: string) => `End ${name}’s session? Their sandbox is removed.`,
  forget: (name: string) =>
    `Delete ${name}’s records from this class? Their sandbox is removed, and their name, progress, checks and sessions here are deleted for good.`,
  extend: undefined,
} as const;
const ACT_DONE = {
  reset: (name: string) => `${name}’s lab was reset: they press Start for a fresh sandbox.`,
  end: (name: string) => `${name}’s session was ended.`,
  extend: (name: string) => `${name} has 30 more minutes.`,
  forget: (name: string) => `${name}’s records were deleted from this class.`,
} as const;
const actStatus = $('[data-act-status]');

async function onAct(
  learner: LearnerProgress,
  action: 'reset' | 'end' | 'extend' | 'forget',
): Promise<void> {
  if (!you.mayAct) return;
  const question = ACT_CONFIRM[action]?.(learner.displayName);
  if (question && !confirm(question)) return;
  try {
    if (action === 'forget') {
      await forgetLearner(classId, learner.memberId);
      actStatus.textContent = ACT_DONE.forget(learner.displayName);
      return;
    }
    const sessions = await actOnLearner(classId, learner.memberId, action);
    actStatus.textContent =
      sessions > 0
        ? ACT_DONE[action](learner.displayName)
        : `${learner.displayName} has no sandbox in this class right now.`;
  } catch (error) {
    actStatus.textContent = (error as Error).message;
  }
}

function setStat(name: string, value: number): void {
  $(`[data-stat="${name}"]`).textContent = String(value);
}

function drawStuck(p: ClassProgress): void {
  const stuck = p.stuck;
  stuckBox.dataset.stuck = stuck ? 'yes' : 'no';
  if (!stuck) {
    stuckBox.replaceChildren('Nobody is stuck on a task right now.');
    return;
  }
  const lab = p.labs.find((l) => l.slug === stuck.lab);
  const task = lab?.tasks.find((t) => t.id === stuck.task);
  const lead = document.createElement('p');
  lead.className = 'stuck-lead';
  const title = document.createElement('strong');
  title.textContent = task?.title ?? stuck.task;
  const of = `${stuck.learners} of ${p.learners.length} learner${p.learners.length === 1 ? '' : 's'}`;
  lead.append(`Most learners are stuck on `, title, ` (${of} failing it).`);
  const parts: Node[] = [lead];
  if (stuck.commonMessage) {
    const label = document.createElement('p');
    label.className = 'stuck-label';
    label.textContent = `What ${stuck.commonMessage.learners === 1 ? 'their check says' : `${stuck.commonMessage.learners} of them see`}:`;
    const message = document.createElement('blockquote');
    message.className = 'stuck-message';
    message.textContent = stuck.commonMessage.message;
    parts.push(label, message);
  }
  stuckBox.replaceChildren(...parts);
}

/** The tasks' titles, which the grid's columns only number. */
function drawTaskKey(p: ClassProgress): void {
  const parts = p.labs.map((lab) => {
    const box = document.createElement('div');
    const title = document.createElement('h4');
    title.textContent = lab.title;
    const list = document.createElement('ol');
    for (const task of lab.tasks) {
      const item = document.createElement('li');
      item.textContent = task.title;
      list.append(item);
    }
    box.append(title, list);
    return box;
  });
  $('[data-task-key]').replaceChildren(...parts);
}

function tick(): void {
  const now = Date.now() - skew;
  for (const since of gridBox.querySelectorAll<HTMLElement>('[data-since]'))
    since.textContent = `for ${duration(now - Date.parse(since.dataset.since!))}`;
  if (receivedAt && liveState.dataset.state === 'live')
    liveText.textContent = `Live · updated ${duration(Date.now() - receivedAt)} ago`;
}

function draw(force = false): void {
  if (!progress) return;
  const p = progress;
  const { at: _at, ...picture } = p;
  const key = JSON.stringify(picture);
  if (key === drawn && !force) return tick();
  drawn = key;

  $('[data-class-name]').textContent = p.name;
  document.title = `${p.name}: live dashboard | Drydock`;
  const all = (l: LearnerProgress) =>
    p.labs.every(
      (lab) =>
        (l.labs[lab.slug] ?? []).filter((c) => c.state === 'passed' || c.state === 'shown')
          .length === lab.tasks.length,
    );
  setStat('learners', p.learners.length);
  setStat('connected', p.learners.filter((l) => l.presence === 'connected').length);
  setStat('finished', p.learners.filter(all).length);
  setStat(
    'failed',
    p.learners.reduce((sum, l) => sum + l.failedChecks, 0),
  );
  drawStuck(p);
  drawTaskKey(p);

  const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
  const scroll = gridBox.scrollLeft;
  if (p.learners.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'hint empty';
    empty.textContent = 'Nobody has joined yet. Learners appear here as they join.';
    gridBox.replaceChildren(empty);
  } else {
    gridBox.replaceChildren(
      renderGrid(p, {
        watching: watch.sessionId,
        mayWatch: you.mayWatch,
        mayAct: you.mayAct,
        onWatch,
        onAct: (l, a) => void onAct(l, a),
      }),
    );
  }
  gridBox.scrollLeft = scroll;
  if (focused) gridBox.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  hideTip();

  // The watched learner's session is over: say so in the panel.
  if (
    watch.sessionId &&
    !p.learners.some((l) => l.sessionId === watch.sessionId && l.presence !== 'gone')
  )
    watch.ended();
  tick();
}

// The last check message of a failing cell, on hover and on keyboard focus.
function showTip(target: HTMLElement): void {
  tip.textContent = target.dataset.tip ?? '';
  if (!tip.matches(':popover-open')) tip.showPopover();
  const box = target.getBoundingClientRect();
  const width = tip.offsetWidth;
  const left = Math.min(Math.max(8, box.left + box.width / 2 - width / 2), innerWidth - width - 8);
  const below = box.bottom + 8 + tip.offsetHeight < innerHeight;
  tip.style.left = `${left}px`;
  tip.style.top = `${below ? box.bottom + 8 : box.top - 8 - tip.offsetHeight}px`;
}
function hideTip(): void {
  if (tip.matches(':popover-open')) tip.hidePopover();
}
const tipTarget = (event: Event) =>
  (event.target as HTMLElement | null)?.closest?.<HTMLElement>('button[data-tip]') ?? undefined;
gridBox.addEventListener('pointerover', (event) => {
  const target = tipTarget(event);
  if (target) showTip(target);
});
gridBox.addEventListener('pointerout', (event) => {
  if (tipTarget(event) && document.activeElement !== tipTarget(event)) hideTip();
});
gridBox.addEventListener('focusin', (event) => {
  const target = tipTarget(event);
  if (target) showTip(target);
  else hideTip();
});
gridBox.addEventListener('focusout', hideTip);
gridBox.addEventListener('scroll', hideTip);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') hideTip();
});

const REFUSALS: Record<FeedRefusal, () => void> = {
  'sign-in': () =>
    refuse('Sign in as this class’s instructor to follow it.', {
      href: `/sign-in/?next=${encodeURIComponent(location.pathname + location.search)}`,
      text: 'Sign in',
    }),
  'not-allowed': () =>
    refuse('This is not one of your classes (or it does not exist).', {
      href: '/classes/',
      text: 'Your classes',
    }),
  origin: () =>
    refuse(
      'This server does not accept pages from this address. The operator must set DRYDOCK_PUBLIC_URL to it (docs/reverse-proxy.md).',
    ),
};

const id = new URLSearchParams(location.search).get('id') ?? '';
const classId = id;

const staffPanel = new StaffPanel(classId, {
  panel: $('[data-staff-panel]'),
  list: $<HTMLUListElement>('[data-staff-list]'),
  form: $<HTMLFormElement>('[data-staff-form]'),
  status: $('[data-staff-status]'),
});
const roleNote = $('[data-role-note]');

/** Offers what the viewer may do now; true when that changed (the grid is drawn again). */
function allow(next: ClassAccess): boolean {
  const changed =
    next.role !== you.role || next.mayWatch !== you.mayWatch || next.mayAct !== you.mayAct;
  you = next;
  $('[data-class-tools]').hidden = !next.mayAct;
  staffPanel.show(next.mayAct);
  roleNote.hidden = next.role !== 'staff';
  roleNote.textContent =
    next.role !== 'staff'
      ? ''
      : `You help in this class: you follow it read-only${
          next.mayWatch
            ? ', and may watch a learner’s terminal.'
            : '. Watching terminals is up to its instructor.'
        }`;
  if (!next.mayWatch && watch.sessionId) watch.close();
  return changed;
}

// Talking to the whole class, and its results as a file.
const broadcastForm = $<HTMLFormElement>('[data-broadcast-form]');
const broadcastStatus = $('[data-broadcast-status]');
broadcastForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = broadcastForm.elements.namedItem('message') as HTMLInputElement;
  broadcastStatus.textContent = 'Sending…';
  broadcastToClass(classId, input.value).then(
    (delivered) => {
      broadcastStatus.textContent = `Sent to ${delivered} learner${delivered === 1 ? '' : 's'} with a sandbox open.`;
      input.value = '';
    },
    (error: Error) => (broadcastStatus.textContent = error.message),
  );
});
$<HTMLAnchorElement>('[data-results-link]').href =
  `/api/classes/${encodeURIComponent(id)}/results.csv`;

if (!CLASS_ID.test(id)) {
  refuse('Which class? Open its dashboard from your list of classes.', {
    href: '/classes/',
    text: 'Your classes',
  });
} else {
  feed = new ClassLiveFeed(id, {
    onProgress(next, access) {
      receivedAt = Date.now();
      skew = receivedAt - Date.parse(next.at);
      progress = next;
      notice.textContent = '';
      dashboard.hidden = false;
      draw(allow(access));
    },
    onState(state, retryInMs) {
      liveState.dataset.state = state;
      if (state === 'connecting') liveText.textContent = progress ? 'Reconnecting…' : 'Connecting…';
      else if (state === 'retrying')
        liveText.textContent = `Connection lost; trying again in ${Math.ceil((retryInMs ?? 0) / 1000)} s`;
      else tick();
    },
    onRefused(refusal) {
      liveState.dataset.state = 'stopped';
      liveText.textContent = 'Not updating';
      watch.close();
      REFUSALS[refusal]();
    },
  });
  setInterval(tick, 1000);
  addEventListener('online', () => feed?.reconnectNow());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') feed?.reconnectNow();
  });
  addEventListener('pagehide', () => {
    watch.close();
    feed?.stop();
  });
  // Back from the browser's page cache with the feed stopped: start afresh.
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
}

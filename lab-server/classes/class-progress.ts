/**
 * The picture of a class an instructor's dashboard shows: every member by
 * every task of the class's labs, each member's presence and current task,
 * and where the class is stuck. Built from the store (members, their sessions
 * in the class's labs, those sessions' Starts and Checks) and, for presence,
 * from what this server knows of its live sessions (terminals open, last
 * keystroke). Free of HTTP; progress/task-progress.ts does the folding.
 */
import {
  type ClassProgress,
  IDLE_AFTER_MS,
  type LearnerProgress,
  type StuckPointView,
} from '../../protocol/class-progress.ts';
import type { Lab } from '../../lab-format/load.ts';
import {
  addEvent,
  type LabActivity,
  type LabProgress,
  labProgress,
  mostStuck,
  PROGRESS_EVENTS,
  type TaskState,
} from '../progress/task-progress.ts';
import type { ClassRecord, ClassStore, MemberRecord } from '../store/class-store.ts';
import type { SessionRecord, SessionStore } from '../store/session-store.ts';

/** What this server knows of a live session that the store does not. */
export interface LiveView {
  live: boolean;
  terminals: number;
  lastActivity: number;
}

export interface ProgressSources {
  classes: Pick<ClassStore, 'members'>;
  sessions: Pick<SessionStore, 'sessionsOfLearners' | 'events'>;
  lab(slug: string): Lab | undefined;
  /** Undefined for a session this server does not hold (ended, or another server's). */
  liveView(sessionId: string): LiveView | undefined;
  now(): number;
}

/** Enough for a class's whole day: 30 learners checking every minute for 8 hours is 14,400. */
const MAX_EVENTS = 100_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** What a class's members did in its labs, read once for the dashboard and for the export. */
interface ClassActivity {
  labs: Lab[];
  taskIds: Map<string, string[]>;
  members: MemberRecord[];
  sessions: SessionRecord[];
  /** learner → lab → their Starts and Checks there */
  activity: Map<string, Map<string, LabActivity>>;
  /** learner → failed task verdicts, over every Check */
  failures: Map<string, number>;
}

async function gather(record: ClassRecord, sources: ProgressSources): Promise<ClassActivity> {
  const labs = record.labs.flatMap((slug) => {
    const lab = sources.lab(slug);
    return lab ? [lab] : []; // a lab removed since the class was made
  });
  const taskIds = new Map(labs.map((lab) => [lab.slug, lab.manifest.tasks.map((t) => t.id)]));
  const members = await sources.classes.members(record.id);
  const sessions = await sources.sessions.sessionsOfLearners(
    members.map((m) => m.learner),
    [...taskIds.keys()],
  );
  const events = await sources.sessions.events({
    sessionIds: sessions.map((s) => s.id),
    types: PROGRESS_EVENTS,
    limit: MAX_EVENTS,
  });

  // learner → lab → what they did there
  const activity = new Map<string, Map<string, LabActivity>>();
  const sessionById = new Map(sessions.map((s) => [s.id, s]));
  const failures = new Map<string, number>();
  for (const event of events) {
    const session = sessionById.get(event.sessionId);
    if (!session?.learner) continue;
    const byLab = activity.get(session.learner) ?? new Map<string, LabActivity>();
    activity.set(session.learner, byLab);
    const lab = byLab.get(session.lab) ?? { starts: [], checks: [] };
    byLab.set(session.lab, lab);
    addEvent(lab, event);
    if (event.type === 'checked') {
      const results = (event.data.results ?? []) as LabActivity['checks'][number]['results'];
      const failed = results.filter((r) => !r.passed).length;
      failures.set(session.learner, (failures.get(session.learner) ?? 0) + failed);
    }
  }
  return { labs, taskIds, members, sessions, activity, failures };
}

export async function classProgress(
  record: ClassRecord,
  sources: ProgressSources,
): Promise<ClassProgress> {
  const now = sources.now();
  const { labs, taskIds, members, sessions, activity, failures } = await gather(record, sources);

  const perLab = new Map<string, LabProgress[]>();
  const learners: LearnerProgress[] = members.map((member) => {
    const own = sessions.filter((s) => s.learner === member.learner);
    const byLab = activity.get(member.learner);
    const cells: LearnerProgress['labs'] = {};
    const progress = new Map<string, LabProgress>();
    for (const [slug, tasks] of taskIds) {
      const p = labProgress(tasks, byLab?.get(slug) ?? { starts: [], checks: [] });
      progress.set(slug, p);
      if (p.lastActivityAt !== undefined) perLab.set(slug, [...(perLab.get(slug) ?? []), p]);
      cells[slug] = p.tasks.map((t) => ({
        task: t.task,
        state: t.state,
        attempts: t.attempts,
        ...(t.firstPassedAt === undefined ? {} : { firstPassedAt: iso(t.firstPassedAt) }),
        ...(t.shownAt === undefined ? {} : { shownAt: iso(t.shownAt) }),
        ...(t.lastMessage === undefined ? {} : { lastMessage: t.lastMessage }),
      }));
    }
    const latest = own.at(-1);
    const current = latest ? progress.get(latest.lab) : undefined;
    const live = presenceOf(own, sources, now);
    return {
      memberId: member.id,
      displayName: member.displayName,
      presence: live.presence,
      ...(live.sessionId ? { sessionId: live.sessionId } : {}),
      ...(latest ? { currentLab: latest.lab } : {}),
      ...(current?.current ? { currentTask: current.current } : {}),
      ...(current?.current && current.currentSince !== undefined
        ? { onTaskSince: iso(current.currentSince) }
        : {}),
      failedChecks: failures.get(member.learner) ?? 0,
      labs: cells,
    };
  });

  return {
    classId: record.id,
    name: record.name,
    labs: labs.map((lab) => ({
      slug: lab.slug,
      title: lab.manifest.title,
      tasks: lab.manifest.tasks.map((t) => ({ id: t.id, title: t.title })),
    })),
    learners,
    ...stuckPoint(taskIds, perLab),
    at: iso(now),
  };
}

function presenceOf(
  sessions: SessionRecord[],
  sources: ProgressSources,
  now: number,
): { presence: LearnerProgress['presence']; sessionId?: string } {
  if (sessions.length === 0) return { presence: 'not-started' };
  const live = sessions
    .map((s) => ({ id: s.id, view: sources.liveView(s.id) }))
    .filter((s) => s.view?.live)
    .at(-1);
  if (!live?.view) return { presence: 'gone' };
  const active = live.view.terminals > 0 && now - live.view.lastActivity < IDLE_AFTER_MS;
  return { presence: active ? 'connected' : 'idle', sessionId: live.id };
}

/** The lab and task most learners fail now, across the class's labs. */
function stuckPoint(
  taskIds: Map<string, string[]>,
  perLab: Map<string, LabProgress[]>,
): { stuck?: StuckPointView } {
  let best: StuckPointView | undefined;
  for (const [slug, tasks] of taskIds) {
    const point = mostStuck(tasks, perLab.get(slug) ?? []);
    if (point && (!best || point.learners > best.learners)) best = { lab: slug, ...point };
  }
  return best ? { stuck: best } : {};
}

/** One row of a class's results: a learner and a task (the CSV export's line). */
export interface ResultRow {
  learner: string;
  lab: string;
  task: string;
  state: TaskState;
  firstPassedAt?: number;
  /** When the lab's solution was applied for it (state `shown`). */
  shownAt?: number;
  attempts: number;
  /** Time the task stood in their way until it first passed (task-progress.ts). */
  timeSpentMs?: number;
  lastMessage?: string;
}

/** Every member by every task of the class's labs, in the roster's and the labs' order. */
export async function classResults(
  record: ClassRecord,
  sources: ProgressSources,
): Promise<ResultRow[]> {
  const { taskIds, members, activity } = await gather(record, sources);
  return members.flatMap((member) =>
    [...taskIds].flatMap(([lab, tasks]) =>
      labProgress(
        tasks,
        activity.get(member.learner)?.get(lab) ?? { starts: [], checks: [] },
      ).tasks.map((t): ResultRow => ({
        learner: member.displayName,
        lab,
        task: t.task,
        state: t.state,
        attempts: t.attempts,
        ...(t.firstPassedAt === undefined ? {} : { firstPassedAt: t.firstPassedAt }),
        ...(t.shownAt === undefined ? {} : { shownAt: t.shownAt }),
        ...(t.timeSpentMs === undefined ? {} : { timeSpentMs: t.timeSpentMs }),
        ...(t.lastMessage === undefined ? {} : { lastMessage: t.lastMessage }),
      })),
    ),
  );
}

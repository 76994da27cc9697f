/**
 * A lab's figures for its authors, from the sessions' recorded events: starts,
 * completions, time per task, the checks that fail most (and with which
 * message) and where learners stop. Pure: the store reads the activity, the
 * route presents the result. Learners are only counted, never named.
 */
import type { LabStats, TaskStats, Failure } from '../../protocol/lab-stats.ts';
import { TOP_FAILURES } from '../../protocol/lab-stats.ts';

export interface LabActivity {
  sessions: { id: string; createdAt: number; endedAt: number | null }[];
  /** The sessions' ready, checked and solution-applied events, in the order they happened. */
  events: { sessionId: string; type: string; at: number; data: Record<string, unknown> }[];
}

interface TaskInfo {
  id: string;
  title: string;
}

/** A failing message's first line, as learners saw it, cut to this length. */
export const FAILURE_CHARS = 200;

/** What one session did, task by task. */
interface Trail {
  readyAt?: number;
  ended: boolean;
  firstPass: Map<string, number>;
  shownAt: Map<string, number>;
  failures: Map<string, string[]>;
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * A message's first line, and the key it is grouped by: every word with a digit in
 * it (a count, an id, a seeded name, a version) is alike, so "3 builds (07de17…)" and
 * "5 builds (221c88…)" count as one message.
 */
function firstLine(message: string): { shown: string; key: string } {
  const line = message.trim().split('\n', 1)[0]!.slice(0, FAILURE_CHARS);
  return { shown: line, key: line.replace(/[\w.:/-]*\d[\w.:/-]*/g, '#') };
}

type CheckedResult = { task: string; passed: boolean; message: string };

function checkedResults(data: Record<string, unknown>): CheckedResult[] {
  return Array.isArray(data.results) ? (data.results as CheckedResult[]) : [];
}

function trailsOf(activity: LabActivity): Map<string, Trail> {
  const trails = new Map<string, Trail>();
  for (const s of activity.sessions)
    trails.set(s.id, {
      ended: s.endedAt !== null,
      firstPass: new Map(),
      shownAt: new Map(),
      failures: new Map(),
    });
  for (const event of activity.events) {
    const trail = trails.get(event.sessionId);
    if (!trail) continue;
    if (event.type === 'ready') trail.readyAt ??= event.at;
    else if (event.type === 'solution-applied') {
      // Every task whose solve step ran counts as shown, not only the one asked for.
      const shown = Array.isArray(event.data.shown) ? (event.data.shown as string[]) : [];
      for (const task of shown)
        if (!trail.firstPass.has(task) && !trail.shownAt.has(task))
          trail.shownAt.set(task, event.at);
    } else if (event.type === 'checked')
      for (const result of checkedResults(event.data)) {
        if (result.passed) {
          // A task whose solution was shown stays shown: the learner did not find it.
          if (!trail.firstPass.has(result.task) && !trail.shownAt.has(result.task))
            trail.firstPass.set(result.task, event.at);
        } else {
          const list = trail.failures.get(result.task) ?? [];
          list.push(result.message);
          trail.failures.set(result.task, list);
        }
      }
  }
  return trails;
}

function topFailures(trails: Trail[], task: string): { total: number; top: Failure[] } {
  const groups = new Map<string, Failure & { seen: Set<Trail> }>();
  let total = 0;
  for (const trail of trails)
    for (const message of trail.failures.get(task) ?? []) {
      total++;
      const { shown, key } = firstLine(message);
      const group = groups.get(key) ?? { message: shown, count: 0, sessions: 0, seen: new Set() };
      group.count++;
      group.seen.add(trail);
      group.sessions = group.seen.size;
      groups.set(key, group);
    }
  const top = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
    .slice(0, TOP_FAILURES)
    .map(({ message, count, sessions }) => ({ message, count, sessions }));
  return { total, top };
}

export function labStats(
  lab: { slug: string; title: string; tasks: readonly TaskInfo[] },
  activity: LabActivity,
  window: { since: number; until: number },
): LabStats {
  const trails = [...trailsOf(activity).values()];
  const ready = trails.filter((t) => t.readyAt !== undefined);
  const done = (trail: Trail, task: string) => trail.firstPass.get(task) ?? trail.shownAt.get(task);

  const tasks: TaskStats[] = [];
  lab.tasks.forEach((task, index) => {
    const before = lab.tasks.slice(0, index);
    let reached = 0;
    let passed = 0;
    let shown = 0;
    let stoppedHere = 0;
    const times: number[] = [];
    for (const trail of ready) {
      const previous = before.map((t) => done(trail, t.id));
      if (previous.some((at) => at === undefined)) continue;
      reached++;
      const reachedAt = Math.max(trail.readyAt!, ...(previous as number[]));
      const passedAt = trail.firstPass.get(task.id);
      if (passedAt !== undefined) {
        passed++;
        times.push(Math.max(0, passedAt - reachedAt));
      } else if (trail.shownAt.has(task.id)) shown++;
      else if (trail.ended) stoppedHere++;
    }
    const failures = topFailures(trails, task.id);
    const medianMs = median(times);
    tasks.push({
      id: task.id,
      title: task.title,
      reached,
      passed,
      shown,
      ...(medianMs === undefined ? {} : { medianSeconds: seconds(medianMs) }),
      failedChecks: failures.total,
      stoppedHere,
      topFailures: failures.top,
    });
  });

  const completions = ready
    .filter((trail) => lab.tasks.every((t) => trail.firstPass.has(t.id)))
    .map((trail) => Math.max(...lab.tasks.map((t) => trail.firstPass.get(t.id)!)) - trail.readyAt!);
  const toComplete = median(completions);
  return {
    lab: lab.slug,
    title: lab.title,
    since: new Date(window.since).toISOString(),
    until: new Date(window.until).toISOString(),
    started: trails.length,
    ready: ready.length,
    completed: completions.length,
    ...(toComplete === undefined ? {} : { medianSecondsToComplete: seconds(toComplete) }),
    live: trails.filter((t) => !t.ended).length,
    tasks,
  };
}

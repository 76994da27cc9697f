/**
 * Where a learner is in a lab, read from what their sessions recorded: each
 * Start (`created`) and each Check (`checked`, every task's verdict and message).
 * Pure: a class's dashboard and its results export both fold the same events,
 * so they cannot disagree about who passed what.
 *
 * A task's state is its latest verdict (a later change can break a task that
 * passed), and its first pass is kept apart from that. Time spent on a task runs
 * from the learner's last progress before it (the lab's first Start, or another
 * task passing for the first time) to its own first pass: the time it was the
 * thing standing in their way, whatever order they worked in.
 *
 * A task whose solution was applied (`solution-applied`, a skip) is `shown` from
 * then on, in every later session of the lab too: it is done, but not by the
 * learner, so no later pass counts as theirs (no first pass, no completion sent).
 */

export type TaskState = 'passed' | 'shown' | 'failing' | 'not-started';

export interface TaskProgress {
  task: string;
  state: TaskState;
  /** Checks that judged it, up to and including its first pass (all of them if it never passed). */
  attempts: number;
  firstPassedAt?: number;
  /** When its solution was applied, the first time. */
  shownAt?: number;
  timeSpentMs?: number;
  /** The latest check's message for it. */
  lastMessage?: string;
  lastCheckedAt?: number;
}

export interface LabProgress {
  /** The first Start of the lab, if there was one. */
  startedAt?: number;
  tasks: TaskProgress[];
  /** The first task, in the lab's order, that is neither passing nor shown; undefined once none is left. */
  current?: string;
  /** Since when `current` has been the task in the way: the learner's last progress. */
  currentSince?: number;
  /** The latest Start or Check. */
  lastActivityAt?: number;
}

/** What one learner's sessions of one lab recorded, in any order. */
export interface LabActivity {
  starts: number[];
  checks: { at: number; results: { task: string; passed: boolean; message: string }[] }[];
  /** Skips: the tasks whose solution was applied at `at` (before the check that followed). */
  solutions?: { at: number; tasks: string[] }[];
}

/** Adds one of a session's recorded events (`created`, `checked`, `solution-applied`) to the activity. */
export function addEvent(
  activity: LabActivity,
  event: { type: string; at: number; data: Record<string, unknown> },
): void {
  if (event.type === 'created') activity.starts.push(event.at);
  else if (event.type === 'checked')
    activity.checks.push({
      at: event.at,
      results: (event.data.results ?? []) as LabActivity['checks'][number]['results'],
    });
  else if (event.type === 'solution-applied')
    (activity.solutions ??= []).push({
      at: event.at,
      tasks: (event.data.shown ?? []) as string[],
    });
}

/** The event types `addEvent` reads: what a reader of the store asks for. */
export const PROGRESS_EVENTS = ['created', 'checked', 'solution-applied'] as const;

export function labProgress(tasks: readonly string[], activity: LabActivity): LabProgress {
  const startedAt = activity.starts.length ? Math.min(...activity.starts) : undefined;
  const checks = [...activity.checks].sort((a, b) => a.at - b.at);
  const solutions = [...(activity.solutions ?? [])].sort((a, b) => a.at - b.at);
  let nextSolution = 0;
  const progress = new Map<string, TaskProgress>(
    tasks.map((task) => [task, { task, state: 'not-started', attempts: 0 }]),
  );
  // The learner's last step forward: each first pass moves it on.
  let lastProgress = startedAt ?? checks[0]?.at;
  const applySolutionsUpTo = (at: number) => {
    for (; nextSolution < solutions.length && solutions[nextSolution]!.at <= at; nextSolution++) {
      const solution = solutions[nextSolution]!;
      for (const id of solution.tasks) {
        const task = progress.get(id);
        if (!task || task.shownAt !== undefined) continue;
        task.shownAt = solution.at;
        task.state = 'shown';
      }
      lastProgress = solution.at;
    }
  };
  for (const check of checks) {
    applySolutionsUpTo(check.at);
    const firstPasses: TaskProgress[] = [];
    for (const result of check.results) {
      const task = progress.get(result.task);
      if (!task) continue; // a task the lab no longer has
      task.lastMessage = result.message;
      task.lastCheckedAt = check.at;
      if (task.shownAt !== undefined) continue; // done with the solution: it stays so
      if (task.firstPassedAt === undefined) task.attempts++;
      task.state = result.passed ? 'passed' : 'failing';
      if (result.passed && task.firstPassedAt === undefined) firstPasses.push(task);
    }
    for (const task of firstPasses) {
      task.firstPassedAt = check.at;
      task.timeSpentMs = check.at - (lastProgress ?? check.at);
    }
    if (firstPasses.length) lastProgress = check.at;
  }
  applySolutionsUpTo(Infinity);
  const list = tasks.map((task) => progress.get(task)!);
  const current = list.find((task) => task.state !== 'passed' && task.state !== 'shown');
  const times = [
    ...activity.starts,
    ...checks.map((check) => check.at),
    ...solutions.map((solution) => solution.at),
  ];
  return {
    ...(startedAt === undefined ? {} : { startedAt }),
    tasks: list,
    ...(current ? { current: current.task } : {}),
    ...(current && lastProgress !== undefined ? { currentSince: lastProgress } : {}),
    ...(times.length ? { lastActivityAt: Math.max(...times) } : {}),
  };
}

export interface StuckPoint {
  task: string;
  /** Learners whose current task it is. */
  learners: number;
  /** The failing message most of them last saw, and how many saw it. */
  commonMessage?: { message: string; learners: number };
}

/**
 * The task most learners are stuck on (the one that is current for most of
 * them, among those who have checked it at least once) and its most common
 * failing message: where an instructor would pause the class and explain.
 */
export function mostStuck(
  tasks: readonly string[],
  learners: LabProgress[],
): StuckPoint | undefined {
  const stuck = new Map<string, TaskProgress[]>();
  for (const learner of learners) {
    const current = learner.tasks.find((task) => task.task === learner.current);
    if (current?.state !== 'failing') continue;
    stuck.set(current.task, [...(stuck.get(current.task) ?? []), current]);
  }
  // Ties go to the earlier task: everyone behind it will meet it too.
  const [task, seen] =
    [...stuck].sort(
      ([a, x], [b, y]) => y.length - x.length || tasks.indexOf(a) - tasks.indexOf(b),
    )[0] ?? [];
  if (!task || !seen) return undefined;
  const messages = new Map<string, number>();
  for (const { lastMessage } of seen)
    if (lastMessage) messages.set(lastMessage, (messages.get(lastMessage) ?? 0) + 1);
  const [message, count] = [...messages].sort(([, a], [, b]) => b - a)[0] ?? [];
  return {
    task,
    learners: seen.length,
    ...(message !== undefined && count !== undefined
      ? { commonMessage: { message, learners: count } }
      : {}),
  };
}

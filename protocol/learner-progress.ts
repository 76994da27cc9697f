/**
 * A learner's progress kept in their own browser, without an account: which
 * tasks of which labs passed, and when. The lab page records every Check's
 * verdicts; the labs index and lessons show them; the learner can export the
 * record to a file and import it in another browser. This is the format of
 * both the stored record (localStorage) and the file, versioned so a later
 * site can read an older browser's record. Pure and free of Node-only APIs:
 * the browser bundles it, and test/unit/learner-progress.test.ts runs it.
 *
 * In a class, the class's record wins (docs/site.md, "Progress"): the class
 * counts a task's latest verdict in this learner's sessions, so for the labs
 * of a current class a task counts only if its latest check in this browser
 * passed, and never from an imported file, which the class has not seen.
 */
import * as z from 'zod/mini';
import { parseValue, type Parsed } from './parse.ts';

export const PROGRESS_VERSION = 1;
/** What an exported file says it is, so another JSON file is refused by name. */
export const PROGRESS_FORMAT = 'drydock-progress';
/** Far above any real record (a few hundred bytes a lab); a bigger file is not ours. */
export const PROGRESS_FILE_MAX_BYTES = 1024 * 1024;

const Id = z.string().check(z.minLength(1), z.maxLength(100));

export const TaskRecordSchema = z.object({
  /** The first check that passed it. */
  passedAt: z.optional(z.iso.datetime()),
  /** The latest check's verdict, and when. */
  last: z.enum(['passed', 'failed']),
  lastAt: z.iso.datetime(),
  /** When the lab's solution was applied for it, the first time: it counts as shown, not passed. */
  shownAt: z.optional(z.iso.datetime()),
  /** Known only from an imported file, not from a check in this browser. */
  imported: z.optional(z.literal(true)),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

export const LabRecordSchema = z.object({
  tasks: z.record(Id, TaskRecordSchema),
  /** When every task of the lab had passed or been shown, the first time. */
  finishedAt: z.optional(z.iso.datetime()),
});
export type LabRecord = z.infer<typeof LabRecordSchema>;

export const ProgressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  /** By lab slug. */
  labs: z.record(Id, LabRecordSchema),
});
export type Progress = z.infer<typeof ProgressSchema>;

/** The exported file: the record, named and dated. */
export const ProgressFileSchema = z.extend(ProgressSchema, {
  format: z.literal(PROGRESS_FORMAT),
  exportedAt: z.iso.datetime(),
});
export type ProgressFile = z.infer<typeof ProgressFileSchema>;

export const emptyProgress = (): Progress => ({ version: PROGRESS_VERSION, labs: {} });

/**
 * A Check's verdicts, added to the record; `shown` marks a task whose solution was
 * applied. `taskIds`: every task of the lab, to know when it is finished.
 */
export function recordCheck(
  progress: Progress,
  lab: string,
  results: readonly { task: string; passed: boolean; shown?: boolean | undefined }[],
  taskIds: readonly string[],
  at: Date,
): Progress {
  const when = at.toISOString();
  const before = progress.labs[lab] ?? { tasks: {} };
  const tasks: Record<string, TaskRecord> = { ...before.tasks };
  for (const { task, passed, shown } of results) {
    const old = tasks[task];
    const shownAt = old?.shownAt ?? (shown ? when : undefined);
    // A check in this browser replaces what a file said: it is this learner's own verdict now.
    tasks[task] = {
      last: passed ? 'passed' : 'failed',
      lastAt: when,
      ...(old?.passedAt && !old.imported
        ? { passedAt: old.passedAt }
        : passed && !shownAt
          ? { passedAt: when }
          : {}),
      ...(shownAt ? { shownAt } : {}),
    };
  }
  const record: LabRecord = { tasks };
  const finishedAt =
    before.finishedAt ??
    (taskIds.length > 0 && taskIds.every((id) => tasks[id]?.passedAt || tasks[id]?.shownAt)
      ? when
      : undefined);
  if (finishedAt) record.finishedAt = finishedAt;
  return { ...progress, labs: { ...progress.labs, [lab]: record } };
}

export interface Standing {
  /** Tasks the learner passed themselves (a task shown with its solution is not one). */
  passed: number;
  /** Tasks done with the lab's solution applied. */
  shown: number;
  total: number;
  /** Any verdict recorded at all (a lab tried, even if nothing passed yet). */
  tried: boolean;
  done: boolean;
}

/**
 * How far the learner got in a lab with these tasks. `inClass`: the lab is one
 * of a current class of theirs, so the class's rule applies (see the top).
 */
export function standing(
  record: LabRecord | undefined,
  taskIds: readonly string[],
  inClass: boolean,
): Standing {
  const isShown = (task: TaskRecord | undefined) =>
    task?.shownAt !== undefined && !(inClass && task.imported);
  const counts = (task: TaskRecord | undefined) =>
    task !== undefined &&
    !isShown(task) &&
    (inClass ? task.last === 'passed' && !task.imported : task.passedAt !== undefined);
  const passed = taskIds.filter((id) => counts(record?.tasks[id])).length;
  const shown = taskIds.filter((id) => isShown(record?.tasks[id])).length;
  const tried = taskIds.some((id) => {
    const task = record?.tasks[id];
    return task !== undefined && !(inClass && task.imported);
  });
  return {
    passed,
    shown,
    total: taskIds.length,
    tried,
    done: taskIds.length > 0 && passed + shown === taskIds.length,
  };
}

const earlier = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

/**
 * An imported record added to this browser's: nothing of either is lost. A
 * task keeps its earliest pass; this browser's own verdicts stay its own, and
 * what only the file knew is marked imported (the class's rule leaves it out).
 */
export function mergeProgress(mine: Progress, theirs: Progress): Progress {
  const labs: Record<string, LabRecord> = { ...mine.labs };
  for (const [slug, incoming] of Object.entries(theirs.labs)) {
    const own = labs[slug];
    const tasks: Record<string, TaskRecord> = { ...own?.tasks };
    for (const [id, task] of Object.entries(incoming.tasks)) {
      const kept = tasks[id];
      if (!kept) {
        tasks[id] = { ...task, imported: true };
        continue;
      }
      const passedAt = earlier(kept.passedAt, task.passedAt);
      // Shown in either browser is shown: a solution seen once was seen.
      const shownAt = earlier(kept.shownAt, task.shownAt);
      tasks[id] = { ...kept, ...(passedAt ? { passedAt } : {}), ...(shownAt ? { shownAt } : {}) };
    }
    const finishedAt = earlier(own?.finishedAt, incoming.finishedAt);
    labs[slug] = { tasks, ...(finishedAt ? { finishedAt } : {}) };
  }
  return { version: PROGRESS_VERSION, labs };
}

export function progressFile(progress: Progress, at: Date): ProgressFile {
  return {
    format: PROGRESS_FORMAT,
    version: PROGRESS_VERSION,
    exportedAt: at.toISOString(),
    labs: progress.labs,
  };
}

/** An imported file's text, read; `why` is a sentence a learner can act on. */
export function readProgressFile(text: string): Parsed<Progress> {
  if (text.length > PROGRESS_FILE_MAX_BYTES)
    return { ok: false, why: 'the file is far too big to be a Drydock progress file.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, why: 'the file is not a Drydock progress file (it is not JSON).' };
  }
  const named = value as { format?: unknown; version?: unknown } | null;
  if (typeof named !== 'object' || named === null || named.format !== PROGRESS_FORMAT)
    return {
      ok: false,
      why: 'the file is not a Drydock progress file. Choose the file that "Export" saved (drydock-progress-….json).',
    };
  if (named.version !== PROGRESS_VERSION)
    return {
      ok: false,
      why: `the file is of version ${String(named.version)}, which this site cannot read (it reads version ${PROGRESS_VERSION}).`,
    };
  const parsed = parseValue(ProgressFileSchema, value);
  if (!parsed.ok) return { ok: false, why: `the file is damaged (${parsed.why}).` };
  return { ok: true, value: { version: PROGRESS_VERSION, labs: parsed.value.labs } };
}

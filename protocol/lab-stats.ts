/**
 * What a lab's authors learn from the sessions it had (issue #13's authors'
 * page): how many started and finished it, how long each task takes, which
 * checks fail most and with which message, and where learners stop. Aggregates
 * only, of self-paced learners and class members alike: no learner is named
 * or counted apart. `GET /api/labs/:slug/stats` answers one. Free of Node-only
 * APIs: the browser bundles it.
 */
import * as z from 'zod/mini';

/** How far back a page may look; the store keeps ended sessions DRYDOCK_RETENTION_DAYS anyway. */
export const STATS_MAX_DAYS = 365;
export const STATS_DEFAULT_DAYS = 30;
/** The failing messages shown per task, most frequent first. */
export const TOP_FAILURES = 3;

/** `?days=N`, 1 to STATS_MAX_DAYS (the route refuses more with 400). */
export const StatsQuerySchema = z.strictObject({
  days: z.optional(z.string().check(z.regex(/^[1-9]\d{0,2}$/))),
});
export type StatsQuery = z.infer<typeof StatsQuerySchema>;

export const FailureSchema = z.object({
  /** The check's message as learners saw it (its first line, cut at FAILURE_CHARS). */
  message: z.string(),
  /** Failing verdicts with this message. */
  count: z.int().check(z.nonnegative()),
  /** Sessions that saw it at least once. */
  sessions: z.int().check(z.nonnegative()),
});
export type Failure = z.infer<typeof FailureSchema>;

export const TaskStatsSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Sessions that passed every task before this one (the first task: every ready session). */
  reached: z.int().check(z.nonnegative()),
  /** Sessions where this task passed at least once. */
  passed: z.int().check(z.nonnegative()),
  /** Sessions that had the solution applied instead (skip with the solution). */
  shown: z.int().check(z.nonnegative()),
  /**
   * Median seconds from reaching the task (the sandbox ready, or the previous
   * task's first pass) to its own first pass, over the sessions that passed it.
   */
  medianSeconds: z.optional(z.number().check(z.nonnegative())),
  /** Failing verdicts of this task's check, over all sessions. */
  failedChecks: z.int().check(z.nonnegative()),
  /** Ended sessions whose first task not passed was this one: where learners stopped. */
  stoppedHere: z.int().check(z.nonnegative()),
  topFailures: z.array(FailureSchema),
});
export type TaskStats = z.infer<typeof TaskStatsSchema>;

export const LabStatsSchema = z.object({
  lab: z.string(),
  title: z.string(),
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  /** Sessions of the lab created in the window. */
  started: z.int().check(z.nonnegative()),
  /** Of those, the ones whose sandbox became ready. */
  ready: z.int().check(z.nonnegative()),
  /** Sessions in which every task passed (a task shown counts as not passed). */
  completed: z.int().check(z.nonnegative()),
  /** Median seconds from ready to the last task's first pass, over completed sessions. */
  medianSecondsToComplete: z.optional(z.number().check(z.nonnegative())),
  /** Sessions still running: they may yet finish. */
  live: z.int().check(z.nonnegative()),
  tasks: z.array(TaskStatsSchema),
});
export type LabStats = z.infer<typeof LabStatsSchema>;

/** Every lab's headline figures, for the authors' index. */
export const LabStatsSummarySchema = z.object({
  lab: z.string(),
  title: z.string(),
  started: z.int().check(z.nonnegative()),
  completed: z.int().check(z.nonnegative()),
});
export const LabStatsIndexSchema = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  labs: z.array(LabStatsSummarySchema),
});
export type LabStatsIndex = z.infer<typeof LabStatsIndexSchema>;

/**
 * A class's results as CSV, one row per learner and task (classes/class-progress.ts):
 * what a trainer files or opens in a spreadsheet after the day. csv-stringify
 * quotes what needs quoting, and its formula escaping keeps a display name or a
 * check message that starts with `=`, `+`, `-` or `@` from running as a formula
 * in the spreadsheet that opens the file.
 */
import { stringify } from 'csv-stringify/sync';
import type { ResultRow } from './class-progress.ts';

/** How the `status` column reads each state: a skipped task is neither passed nor failing. */
const STATUS: Record<ResultRow['state'], string> = {
  passed: 'passed',
  shown: 'solution shown',
  failing: 'failing',
  'not-started': 'not-started',
};

const COLUMNS = [
  'learner',
  'lab',
  'task',
  'status',
  'first_passed_at',
  'attempts',
  'time_spent_seconds',
  'last_message',
  // Last, so that a spreadsheet or script reading the earlier columns by position still works.
  'solution_shown_at',
] as const;

export function resultsCsv(rows: readonly ResultRow[]): string {
  return stringify(
    rows.map((row) => [
      row.learner,
      row.lab,
      row.task,
      STATUS[row.state],
      row.firstPassedAt === undefined ? '' : new Date(row.firstPassedAt).toISOString(),
      row.attempts,
      row.timeSpentMs === undefined ? '' : Math.round(row.timeSpentMs / 1000),
      row.lastMessage ?? '',
      row.shownAt === undefined ? '' : new Date(row.shownAt).toISOString(),
    ]),
    { header: true, columns: [...COLUMNS], escape_formulas: true },
  );
}

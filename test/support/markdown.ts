/** Reading the project's Markdown documentation in tests that keep it in step with the code. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROOT } from './platform.ts';

/** The rows of the first Markdown table after `heading` (a line of the file), as cells. */
export function tableAfter(file: string, heading: string): string[][] {
  const lines = readFileSync(`${ROOT}/${file}`, 'utf8').split('\n');
  const start = lines.indexOf(heading);
  assert.notEqual(start, -1, `${file} has no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  assert.ok(rows.length > 2, `${file} has no table under "${heading}"`);
  // Drop the header and the |---| line.
  return rows.slice(2);
}

/** A cell's `code`, without backticks (the cell as it is if it holds something else). */
export const codeIn = (cell: string | undefined) =>
  /^`([^`]+)`$/.exec(cell ?? '')?.[1] ?? cell ?? '';

/**
 * The documentation an operator and a client developer read must say what the
 * code does: every error code the server can answer with is in docs/api.md's
 * table of error codes (with its status) and every code there exists; every
 * environment variable the configuration parser reads is in README's
 * configuration table and every row there is one it reads. A failure names
 * what is missing and where to add it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENV_VARIABLES } from '../../lab-server/config.ts';
import { ERRORS } from '../../lab-server/errors.ts';
import { codeIn, tableAfter } from '../support/markdown.ts';

const nameIn = (row: string[]) => codeIn(row[0]);

const difference = (a: Iterable<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));

describe('docs/api.md and the error registry', () => {
  const rows = tableAfter('docs/api.md', '## Error codes');
  const documented = new Map(rows.map((row) => [nameIn(row), row]));

  it('documents every error code the server can answer with', () => {
    const missing = difference(Object.keys(ERRORS), new Set(documented.keys()));
    assert.deepEqual(
      missing,
      [],
      `codes in lab-server/errors.ts missing from the "Error codes" table of docs/api.md: ${missing.join(', ')}`,
    );
  });

  it('documents no error code the server does not have', () => {
    const unknown = difference(documented.keys(), new Set(Object.keys(ERRORS)));
    assert.deepEqual(
      unknown,
      [],
      `rows of docs/api.md's "Error codes" table that lab-server/errors.ts does not define: ${unknown.join(', ')}`,
    );
  });

  it('gives each code the status the server answers with', () => {
    const wrong = [...documented]
      .filter(([code]) => code in ERRORS)
      .filter(([code, row]) => row[1] !== String(ERRORS[code as keyof typeof ERRORS].status))
      .map(
        ([code, row]) =>
          `${code}: docs say ${row[1]}, errors.ts says ${ERRORS[code as keyof typeof ERRORS].status}`,
      );
    assert.deepEqual(wrong, [], `statuses in docs/api.md that differ from lab-server/errors.ts`);
  });
});

describe("README's configuration table and the configuration parser", () => {
  const documented = new Set(tableAfter('README.md', '## Configuration').map(nameIn));

  it('documents every variable lab-server/config.ts reads', () => {
    const missing = difference(ENV_VARIABLES, documented);
    assert.deepEqual(
      missing,
      [],
      `variables read by lab-server/config.ts missing from README's configuration table: ${missing.join(', ')}`,
    );
  });

  it('documents no variable lab-server/config.ts does not read', () => {
    const unknown = difference(documented, new Set(ENV_VARIABLES));
    assert.deepEqual(
      unknown,
      [],
      `rows of README's configuration table that lab-server/config.ts does not read: ${unknown.join(', ')}`,
    );
  });
});

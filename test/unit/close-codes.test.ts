/**
 * The terminal's close codes and their documentation stay in step: every code
 * in protocol/close-codes.ts (which the server and the browser import) is in
 * docs/api.md's table with the action closeAction gives it, and every code
 * listed there is one the protocol knows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOSE_CODES, closeAction } from '../../protocol/close-codes.ts';
import { codeIn, tableAfter } from '../support/markdown.ts';

const documented = new Map(
  tableAfter('docs/api.md', '### Terminal close codes').map((row) => [
    Number(codeIn(row[0])),
    codeIn(row[2]),
  ]),
);

describe('the terminal close codes', () => {
  it('are all listed in docs/api.md, with what a client does', () => {
    for (const code of CLOSE_CODES)
      assert.equal(documented.get(code), closeAction(code), `${code}`);
  });

  it('are all in protocol/close-codes.ts when docs/api.md lists one', () => {
    for (const code of documented.keys()) assert.ok(CLOSE_CODES.includes(code), `${code}`);
  });
});

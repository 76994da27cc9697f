/**
 * The terminal's close codes and their documentation stay in step: every code
 * in protocol/close-codes.ts (which the server and the browser import) is in
 * docs/api.md's list, and every code of ours (4000-4999) listed there exists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as closeCodes from '../../protocol/close-codes.ts';
import { ROOT } from '../support/platform.ts';

const api = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
const section = api.slice(api.indexOf('- Close codes'), api.indexOf('Any other close'));
const documented = new Set([...section.matchAll(/`(\d{4})`/g)].map((m) => Number(m[1])));
const defined = new Map(Object.entries(closeCodes).map(([name, code]) => [code, name]));

describe('the terminal close codes', () => {
  it('are all listed in docs/api.md', () => {
    assert.ok(section.length > 0, 'docs/api.md has a "Close codes" list');
    for (const [code, name] of defined) assert.ok(documented.has(code), `${name} (${code})`);
  });

  it('are all defined in protocol/close-codes.ts when docs/api.md lists one of ours', () => {
    for (const code of documented)
      if (code >= 4000 && code <= 4999) assert.ok(defined.has(code), `${code} is documented`);
  });
});

/**
 * `drydock import killercoda` as an author runs it: the lab and lesson land in the
 * root's labs/ and content/lessons/ (or --out and --lessons), `labs validate`
 * accepts them, the report is printed and written; and every refusal says why.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drydock } from '../support/cli.ts';
import { ROOT } from '../support/platform.ts';

const SCENARIO = join(ROOT, 'test/fixtures/killercoda/start-the-web-container');

function root() {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-cli-import-'));
  mkdirSync(join(dir, 'labs'));
  symlinkSync(join(ROOT, 'images'), join(dir, 'images'));
  symlinkSync(join(ROOT, 'labs/_lib'), join(dir, 'labs/_lib'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('drydock import killercoda', () => {
  it('writes a lab and its lesson that `labs validate` accepts, and prints the report it writes', async () => {
    using r = root();
    const run = await drydock(['import', 'killercoda', SCENARIO], { DRYDOCK_ROOT: r.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^# Import report: start-the-web-container$/m);
    assert.match(run.stdout, /## Could not be mapped\n\n- nothing/);
    assert.match(run.stdout, /step 1 "Start the web container" → task start-the-web-container/);
    for (const file of [
      'labs/start-the-web-container/lab.yaml',
      'labs/start-the-web-container/IMPORT-REPORT.md',
      'content/lessons/start-the-web-container.md',
    ])
      assert.ok(existsSync(join(r.dir, file)), file);
    const valid = await drydock(['labs', 'validate'], { DRYDOCK_ROOT: r.dir });
    assert.equal(valid.code, 0, valid.stdout);
    assert.match(valid.stdout, /^ok {4}start-the-web-container$/m);
  });

  it('takes --out, --lessons and --slug', async () => {
    using r = root();
    const run = await drydock([
      'import',
      'killercoda',
      SCENARIO,
      '--out',
      join(r.dir, 'pack/labs'),
      '--lessons',
      join(r.dir, 'pack/lessons'),
      '--slug',
      'web-starts',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(r.dir, 'pack/labs/web-starts/lab.yaml')));
    assert.ok(existsSync(join(r.dir, 'pack/lessons/web-starts.md')));
  });

  it('refuses to overwrite a lab, a folder without index.json, broken JSON and a bad slug, saying why', async () => {
    using r = root();
    const env = { DRYDOCK_ROOT: r.dir };
    assert.equal((await drydock(['import', 'killercoda', SCENARIO], env)).code, 0);
    const again = await drydock(['import', 'killercoda', SCENARIO], env);
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /start-the-web-container exists already; choose another --slug or --out/,
    );

    const empty = join(r.dir, 'empty');
    mkdirSync(empty);
    const none = await drydock(['import', 'killercoda', empty], env);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /index\.json does not exist: a Killercoda scenario is a folder with an index\.json/,
    );

    writeFileSync(join(empty, 'index.json'), '{ "title": ');
    const broken = await drydock(['import', 'killercoda', empty], env);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /index\.json is not valid JSON/);

    writeFileSync(join(empty, 'index.json'), '{ "details": {} }');
    const untitled = await drydock(['import', 'killercoda', empty], env);
    assert.equal(untitled.code, 2);
    assert.match(untitled.stderr, /index\.json: title: /);

    const slug = await drydock(['import', 'killercoda', SCENARIO, '--slug', 'Not A Slug'], env);
    assert.equal(slug.code, 2);
    assert.match(slug.stderr, /"Not A Slug" is not a lab slug/);
  });
});

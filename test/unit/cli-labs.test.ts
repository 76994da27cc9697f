/**
 * `drydock labs validate` and `labs new` on lab folders in a temporary root (no
 * engine): every broken manifest is named with its file and field, and the
 * scaffold validates as generated. `labs verify` runs in test/engine/cli-labs.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drydock } from '../support/cli.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

describe('drydock labs validate and labs new', () => {
  it('reports every broken lab with its file and field, not just the first, and exits 1', async () => {
    using root = tempRoot();
    root.writeLab('good-lab', GOOD_MANIFEST);
    root.writeLab('no-title', { ...GOOD_MANIFEST, title: undefined });
    root.writeLab('bad-check', {
      ...GOOD_MANIFEST,
      tasks: [{ ...GOOD_MANIFEST.tasks[0], check: 'checks/missing.sh' }],
    });
    const run = await drydock(['labs', 'validate'], { DRYDOCK_ROOT: root.root });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^ok {4}good-lab$/m);
    assert.match(run.stdout, /fail {2}labs\/no-title\/lab\.yaml: title: /);
    assert.match(
      run.stdout,
      /fail {2}labs\/bad-check\/lab\.yaml: tasks\[0\]\.check: file "checks\/missing\.sh" does not exist/,
    );
    assert.match(run.stdout, /1 of 3 lab\(s\) valid; 2 to fix/);
  });

  it('gives the same findings as JSON, with file and field apart', async () => {
    using root = tempRoot();
    root.writeLab('good-lab', GOOD_MANIFEST);
    root.writeLab('bad-lesson', { ...GOOD_MANIFEST, lessons: ['lessons/nowhere'] });
    const run = await drydock(['labs', 'validate', '--json'], { DRYDOCK_ROOT: root.root });
    assert.equal(run.code, 1);
    assert.deepEqual(
      (
        JSON.parse(run.stdout) as { slug: string; ok: boolean; file?: string; field?: string }[]
      ).map(({ slug, ok, file, field }) => ({ slug, ok, file, field })),
      [
        { slug: 'bad-lesson', ok: false, file: 'labs/bad-lesson/lab.yaml', field: 'lessons[0]' },
        { slug: 'good-lab', ok: true, file: undefined, field: undefined },
      ],
    );
  });

  it('scaffolds a lab and its lesson that validate as generated', async () => {
    using root = tempRoot();
    const made = await drydock(['labs', 'new', 'port-clash', '--title', 'Two services, one port'], {
      DRYDOCK_ROOT: root.root,
    });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /created labs\/port-clash\/lab\.yaml/);
    const lesson = readFileSync(join(root.root, 'content/lessons/port-clash.mdx'), 'utf8');
    assert.match(lesson, /^lab: port-clash$/m);
    assert.match(
      readFileSync(join(root.labsDir, 'port-clash/lab.yaml'), 'utf8'),
      /^title: "Two services, one port"$/m,
    );
    const checked = await drydock(['labs', 'validate'], { DRYDOCK_ROOT: root.root });
    assert.equal(checked.code, 0, checked.stdout);
    assert.match(checked.stdout, /^ok {4}port-clash$/m);
  });

  it('refuses to scaffold over an existing lab and changes nothing', async () => {
    using root = tempRoot();
    root.writeLab('taken', GOOD_MANIFEST);
    const before = readFileSync(join(root.labsDir, 'taken/lab.yaml'), 'utf8');
    const run = await drydock(['labs', 'new', 'taken'], { DRYDOCK_ROOT: root.root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /exists already/);
    assert.equal(readFileSync(join(root.labsDir, 'taken/lab.yaml'), 'utf8'), before);
    assert.ok(!existsSync(join(root.root, 'content/lessons/taken.mdx')));
  });

  it('makes a new lab in a content pack with --pack, which then validates as part of that pack', async () => {
    const pack = mkdtempSync(join(tmpdir(), 'drydock-new-pack-'));
    try {
      const made = await drydock(['labs', 'new', 'disk-full-on-ci', '--pack', pack]);
      assert.equal(made.code, 0, made.stderr);
      assert.ok(existsSync(join(pack, 'labs/disk-full-on-ci/lab.yaml')));
      assert.ok(
        existsSync(join(pack, 'lessons/disk-full-on-ci.mdx')),
        'a pack keeps lessons in lessons/',
      );
      assert.match(made.stdout, /drydock labs verify --pack /);
      const run = await drydock(['labs', 'validate', '--pack', pack]);
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.stdout.trim(), 'ok    disk-full-on-ci\n1 of 1 lab(s) valid');
    } finally {
      rmSync(pack, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LabFormatError, loadLab, loadLabs } from '../../lab-format/load.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

function expectFormatError(
  fn: () => unknown,
  file: RegExp,
  field: string | undefined,
  message: RegExp,
) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof LabFormatError, `expected a LabFormatError, got ${String(error)}`);
    assert.match(error.file, file);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe('lab manifests', () => {
  it('loads a valid lab with defaults filled in', () => {
    using root = tempRoot();
    const dir = root.writeLab('tiny-lab', GOOD_MANIFEST);
    const lab = loadLab(dir, { imagesDir: root.imagesDir });
    assert.equal(lab.slug, 'tiny-lab');
    assert.equal(lab.manifest.workdir, '/root/lab');
    assert.equal(lab.manifest.setup, 'setup.sh');
    assert.equal(lab.manifest.checkTimeout, 30);
    assert.deepEqual(
      lab.manifest.tasks.map((t) => t.id),
      ['web-runs'],
    );
  });

  it('names the file and the field when a required field is missing', () => {
    using root = tempRoot();
    const { title: _title, ...manifest } = GOOD_MANIFEST;
    const dir = root.writeLab('no-title', manifest);
    expectFormatError(
      () => loadLab(dir, { displayRoot: root.root }),
      /^labs\/no-title\/lab\.yaml$/,
      'title',
      /expected string/,
    );
  });

  it('points into nested fields, e.g. a task with a bad id', () => {
    using root = tempRoot();
    const dir = root.writeLab('bad-task', {
      ...GOOD_MANIFEST,
      tasks: [{ ...GOOD_MANIFEST.tasks[0], id: 'Not A Slug' }],
    });
    expectFormatError(() => loadLab(dir), /bad-task\/lab\.yaml$/, 'tasks[0].id', /kebab-case/);
  });

  it('rejects unknown fields instead of ignoring a typo', () => {
    using root = tempRoot();
    const dir = root.writeLab('typo', { ...GOOD_MANIFEST, difficulty: 'beginner', minuets: 5 });
    expectFormatError(
      () => loadLab(dir),
      /typo\/lab\.yaml$/,
      undefined,
      /unknown field\(s\): minuets/,
    );
  });

  it('rejects a value of the wrong kind', () => {
    using root = tempRoot();
    const dir = root.writeLab('level', { ...GOOD_MANIFEST, difficulty: 'expert' });
    expectFormatError(
      () => loadLab(dir),
      /level\/lab\.yaml$/,
      'difficulty',
      /beginner|intermediate|advanced/,
    );
  });

  it('knows what a lab may require of the sandbox, and where it may work', () => {
    using root = tempRoot();
    const ok = loadLab(
      root.writeLab('needs-limits', { ...GOOD_MANIFEST, requires: ['memory-limits'] }),
      { imagesDir: root.imagesDir },
    );
    assert.deepEqual(ok.manifest.requires, ['memory-limits']);
    expectFormatError(
      () => loadLab(root.writeLab('needs-gpu', { ...GOOD_MANIFEST, requires: ['gpu'] })),
      /needs-gpu\/lab\.yaml$/,
      'requires[0]',
      /memory-limits/,
    );
    // The sandbox's root file system is read-only: a workdir outside /root could never be created.
    expectFormatError(
      () => loadLab(root.writeLab('in-srv', { ...GOOD_MANIFEST, workdir: '/srv/app' })),
      /in-srv\/lab\.yaml$/,
      'workdir',
      /under it/,
    );
  });

  it('fails when a check script named by a task does not exist', () => {
    using root = tempRoot();
    const dir = root.writeLab('missing-check', GOOD_MANIFEST, {
      'setup.sh': '',
      'solve.sh': '',
      'wrong-fixes/stopped.sh': '',
    });
    expectFormatError(
      () => loadLab(dir),
      /missing-check\/lab\.yaml$/,
      'tasks[0].check',
      /"checks\/web-runs\.sh" does not exist/,
    );
  });

  it('names the prepare field when its script is missing', () => {
    using root = tempRoot();
    const dir = root.writeLab('missing-prepare', { ...GOOD_MANIFEST, prepare: 'prepare.sh' });
    expectFormatError(
      () => loadLab(dir),
      /missing-prepare\/lab\.yaml$/,
      'prepare',
      /"prepare\.sh" does not exist/,
    );
  });

  it('refuses script paths that leave the lab folder', () => {
    using root = tempRoot();
    const dir = root.writeLab('escape', { ...GOOD_MANIFEST, setup: '../../etc/passwd' });
    expectFormatError(
      () => loadLab(dir),
      /escape\/lab\.yaml$/,
      'setup',
      /relative path inside the lab folder/,
    );
  });

  it('fails on duplicate task ids', () => {
    using root = tempRoot();
    const dir = root.writeLab('dupes', {
      ...GOOD_MANIFEST,
      tasks: [GOOD_MANIFEST.tasks[0], GOOD_MANIFEST.tasks[0]],
    });
    expectFormatError(
      () => loadLab(dir),
      /dupes\/lab\.yaml$/,
      'tasks[1].id',
      /duplicate task id "web-runs"/,
    );
  });

  it('says which task must catch a wrong fix, and refuses one that names no task', () => {
    using root = tempRoot();
    const [fix] = GOOD_MANIFEST.wrongFixes;
    const dir = root.writeLab('no-catcher', {
      ...GOOD_MANIFEST,
      wrongFixes: [{ ...fix, caughtBy: 'web-starts' }],
    });
    expectFormatError(
      () => loadLab(dir),
      /no-catcher\/lab\.yaml$/,
      'wrongFixes[0].caughtBy',
      /no task has the id "web-starts"[\s\S]*task ids: web-runs/,
    );
    const unkind = root.writeLab('unkind', {
      ...GOOD_MANIFEST,
      wrongFixes: [{ ...fix, kind: 'lazy' }],
    });
    expectFormatError(() => loadLab(unkind), /unkind/, 'wrongFixes[0].kind', /breaks-later/);
  });

  it('fails when a right fix names a script that does not exist', () => {
    using root = tempRoot();
    const dir = root.writeLab('no-right-fix', {
      ...GOOD_MANIFEST,
      rightFixes: [{ script: 'right-fixes/restart.sh', why: 'Restarting starts it too.' }],
    });
    expectFormatError(
      () => loadLab(dir),
      /no-right-fix/,
      'rightFixes[0].script',
      /"right-fixes\/restart\.sh" does not exist/,
    );
  });

  it('fails on an image that images/ does not define', () => {
    using root = tempRoot();
    const dir = root.writeLab('no-image', { ...GOOD_MANIFEST, images: ['lab-base', 'postgres'] });
    expectFormatError(
      () => loadLab(dir, { imagesDir: root.imagesDir }),
      /no-image\/lab\.yaml$/,
      'images[1]',
      /unknown image "postgres"/,
    );
  });

  it('reports YAML syntax errors with the line', () => {
    using root = tempRoot();
    const dir = root.writeLab('broken-yaml', 'title: "unterminated\nsummary: x\n');
    expectFormatError(
      () => loadLab(dir),
      /broken-yaml\/lab\.yaml$/,
      undefined,
      /not valid YAML at line \d+/,
    );
  });

  it('fails when a lab folder has no manifest', () => {
    using root = tempRoot();
    root.writeLab('empty', GOOD_MANIFEST);
    const dir = root.writeLab('second', GOOD_MANIFEST);
    rmSync(`${dir}/lab.yaml`);
    expectFormatError(
      () => loadLabs(root.labsDir),
      /second\/lab\.yaml$/,
      undefined,
      /file is missing/,
    );
  });

  it('loads every lab of the repository', () => {
    const labs = loadLabs(new URL('../../labs', import.meta.url).pathname, {
      imagesDir: new URL('../../images', import.meta.url).pathname,
    });
    assert.ok(labs.length >= 1, 'labs/ holds at least one lab');
    for (const lab of labs) assert.ok(lab.manifest.tasks.length > 0, `${lab.slug} has tasks`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabFormatError, loadLab } from '../../lab-format/load.ts';
import { fencedBlocks, parseRunMarker, runMarkerProblems } from '../../lab-format/run-marker.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

const task = GOOD_MANIFEST.tasks[0]!;

describe('run markers in lab Markdown', () => {
  it('reads `sh run` and `sh run interrupt`, and leaves unmarked blocks alone', () => {
    assert.deepEqual(parseRunMarker('sh', 'run'), { marker: 'run' });
    assert.deepEqual(parseRunMarker('bash', 'run interrupt'), { marker: 'interrupt' });
    assert.deepEqual(parseRunMarker('sh', ''), { marker: undefined });
    assert.deepEqual(parseRunMarker('yaml', ''), { marker: undefined });
  });

  it("leaves Expressive Code's own options to it", () => {
    assert.deepEqual(parseRunMarker('sh', 'title="Try this" {2} run'), { marker: 'run' });
    assert.deepEqual(parseRunMarker('sh', 'ins=/x/ "hello world"'), { marker: undefined });
  });

  it('refuses a misspelt marker, a marker without a language, or one on a block that is not shell', () => {
    for (const [language, meta, said] of [
      ['sh', 'runn', /unknown word "runn"/],
      ['sh', 'Run', /unknown word "Run"/],
      ['sh', 'run interupt', /unknown word "interupt"/],
      ['sh', 'interrupt', /only goes with "run"/],
      ['sh', 'run run', /twice/],
      ['run', '', /write the language first/],
      ['dockerfile', 'run', /"dockerfile" block cannot run/],
      ['console', 'run', /"console" block cannot run/],
      ['', 'run', /write the language first|"plain" block/],
    ] as const) {
      const parsed = parseRunMarker(language, meta);
      assert.ok('error' in parsed, `${language} ${meta} should be refused`);
      assert.match(parsed.error, said);
    }
  });

  it('finds fences in list items and keeps their code without the indentation', () => {
    const blocks = fencedBlocks(
      [
        'Steps:',
        '',
        '- First:',
        '',
        '  ```sh run',
        '  docker ps',
        '  ```',
        '',
        '~~~yaml',
        'a: 1',
        '~~~',
      ].join('\n'),
    );
    assert.deepEqual(
      blocks.map((b) => [b.line, b.language, b.meta, b.code]),
      [
        [5, 'sh', 'run', 'docker ps'],
        [9, 'yaml', '', 'a: 1'],
      ],
    );
  });

  it('keeps hints and solutions free of blocks that run, and needs a command in one', () => {
    const runnable = '```sh run\ndocker ps\n```';
    assert.deepEqual(runMarkerProblems(runnable, true), []);
    assert.match(runMarkerProblems(runnable, false)[0]!, /hints and solutions are read/);
    assert.match(runMarkerProblems('```sh run\n\n```', true)[0]!, /needs a command/);
  });

  it('fails the lab with the file and the field of a malformed marker', () => {
    using root = tempRoot();
    const dir = root.writeLab('bad-marker', {
      ...GOOD_MANIFEST,
      tasks: [{ ...task, instructions: 'Look:\n\n```sh\nls\n```\n\n```sh runn\ndocker ps\n```' }],
    });
    assert.throws(
      () => loadLab(dir, { displayRoot: root.root }),
      (error: unknown) => {
        assert.ok(error instanceof LabFormatError);
        assert.equal(error.file, 'labs/bad-marker/lab.yaml');
        assert.equal(error.field, 'tasks[0].instructions');
        assert.match(error.message, /code block 2 \(line 7\): unknown word "runn"/);
        assert.match(error.hint!, /docs\/writing-labs\.md/);
        return true;
      },
    );
  });

  it('names the hint that has a block that runs', () => {
    using root = tempRoot();
    const dir = root.writeLab('hint-runs', {
      ...GOOD_MANIFEST,
      tasks: [{ ...task, hints: ['Gentle.', '```sh run\ndocker ps\n```'] }],
    });
    assert.throws(
      () => loadLab(dir, { displayRoot: root.root }),
      (error: unknown) => error instanceof LabFormatError && error.field === 'tasks[0].hints[1]',
    );
  });

  it('loads a lab whose intro and instructions have blocks that run', () => {
    using root = tempRoot();
    const dir = root.writeLab('runs', {
      ...GOOD_MANIFEST,
      intro: 'Look around:\n\n```sh run\nls -la\n```',
      tasks: [{ ...task, instructions: '```bash run interrupt\ndocker logs -f web\n```' }],
    });
    assert.equal(loadLab(dir).manifest.intro.includes('```sh run'), true);
  });
});

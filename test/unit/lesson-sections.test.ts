/**
 * A task's `explainedIn` (the lesson section the lab page links as "Why: …"
 * beside a failing check): the lesson's headings get the anchors the site gives
 * them, and a reference to a lesson or a heading that does not exist fails the
 * load naming the lab file and the field, as every manifest error does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findSection, lessonSections } from '../../lab-format/lesson-sections.ts';
import { LabFormatError, loadLab, loadLabs } from '../../lab-format/load.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

const LESSON = `---
title: Ports
description: A lesson.
---

## Symptom

\`\`\`sh
# Not a heading: a comment in a code block
docker ps
\`\`\`

## Why \`docker run -p\` *fails*

## Fix

### Fix

## Ports: the [two](https://example.com) kinds, again
`;

function withLesson(explainedIn: unknown) {
  const root = tempRoot();
  mkdirSync(join(root.root, 'content', 'lessons'), { recursive: true });
  writeFileSync(join(root.root, 'content', 'lessons', 'ports.mdx'), LESSON);
  const dir = root.writeLab('tiny-lab', {
    ...GOOD_MANIFEST,
    lessons: ['lessons/ports'],
    tasks: [{ ...GOOD_MANIFEST.tasks[0], explainedIn }],
  });
  const load = () =>
    loadLab(dir, { displayRoot: root.root, contentDir: join(root.root, 'content') });
  return { root, dir, load };
}

function expectFieldError(load: () => unknown, message: RegExp, hint?: RegExp) {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof LabFormatError, `expected a LabFormatError, got ${String(error)}`);
    assert.equal(error.file, 'labs/tiny-lab/lab.yaml');
    assert.equal(error.field, 'tasks[0].explainedIn');
    assert.match(error.message, message);
    if (hint) assert.match(error.hint ?? '', hint);
    return true;
  });
}

describe('lesson sections a task links to', () => {
  it('gives headings the anchors the site gives them, outside front matter and code', () => {
    assert.deepEqual(lessonSections(LESSON), [
      { depth: 2, title: 'Symptom', anchor: 'symptom' },
      { depth: 2, title: 'Why docker run -p fails', anchor: 'why-docker-run--p-fails' },
      { depth: 2, title: 'Fix', anchor: 'fix' },
      { depth: 3, title: 'Fix', anchor: 'fix-1' },
      { depth: 2, title: 'Ports: the two kinds, again', anchor: 'ports-the-two-kinds-again' },
    ]);
  });

  it('loads a task whose explainedIn names a heading of an existing lesson', () => {
    const { root, load } = withLesson('lessons/ports#why-docker-run--p-fails');
    using _root = root;
    assert.equal(load().manifest.tasks[0]!.explainedIn, 'lessons/ports#why-docker-run--p-fails');
    const found = findSection(join(root.root, 'content'), 'lessons/ports#fix-1');
    assert.ok(found.ok);
    assert.equal(found.section.title, 'Fix');
  });

  it('fails naming the file and the field when the anchor is no heading of the lesson', () => {
    const { root, load } = withLesson('lessons/ports#why-it-happens');
    using _root = root;
    expectFieldError(
      load,
      /labs\/tiny-lab\/lab\.yaml: tasks\[0\]\.explainedIn: lesson "lessons\/ports" has no section "#why-it-happens"/,
      /#symptom, #why-docker-run--p-fails, #fix, #fix-1/,
    );
  });

  it('fails naming the file and the field when the lesson does not exist', () => {
    const { root, load } = withLesson('lessons/nowhere#fix');
    using _root = root;
    expectFieldError(load, /tasks\[0\]\.explainedIn: no lesson "lessons\/nowhere" in content\//);
  });

  it('refuses a reference without an anchor, before looking for the lesson', () => {
    const { root, load } = withLesson('lessons/ports');
    using _root = root;
    expectFieldError(load, /lessons\/<slug>#<heading-anchor>/);
  });

  it('fails naming lessons[i] when a lab practises a lesson that does not exist', () => {
    using root = tempRoot();
    const dir = root.writeLab('tiny-lab', { ...GOOD_MANIFEST, lessons: ['lessons/nowhere'] });
    assert.throws(
      () => loadLab(dir, { displayRoot: root.root, contentDir: join(root.root, 'content') }),
      (error: unknown) =>
        error instanceof LabFormatError &&
        error.field === 'lessons[0]' &&
        /no lesson "lessons\/nowhere"/.test(error.message),
    );
  });

  it('links every task of this repository to a section of a lesson the lab practises', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const labs = loadLabs(join(root, 'labs'), {
      imagesDir: join(root, 'images'),
      contentDir: join(root, 'content'),
    });
    for (const lab of labs)
      for (const task of lab.manifest.tasks) {
        assert.ok(task.explainedIn, `${lab.slug}: task ${task.id} has no explainedIn`);
        const lesson = task.explainedIn.split('#')[0]!;
        assert.ok(
          lab.manifest.lessons.includes(lesson),
          `${lab.slug}: task ${task.id} links to ${lesson}, which its lessons: do not list`,
        );
      }
  });
});

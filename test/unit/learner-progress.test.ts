/**
 * The progress a browser keeps without an account (protocol/learner-progress.ts):
 * what a Check records, how far a lab counts as done (alone and in a class,
 * where the class's record wins), that an import adds without losing anything,
 * and that a file which is not a readable progress file is refused with a reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyProgress,
  mergeProgress,
  progressFile,
  readProgressFile,
  recordCheck,
  standing,
  type Progress,
} from '../../protocol/learner-progress.ts';

const TASKS = ['a', 'b', 'c'];
const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute));
const check = (progress: Progress, verdicts: Record<string, boolean>, minute: number) =>
  recordCheck(
    progress,
    'lab-x',
    Object.entries(verdicts).map(([task, passed]) => ({ task, passed })),
    TASKS,
    at(minute),
  );

describe('progress kept in the browser', () => {
  it('keeps a passed task passed after a later check fails it, and finishes the lab once all have passed', () => {
    let progress = check(emptyProgress(), { a: true, b: false, c: false }, 1);
    progress = check(progress, { a: false, b: true, c: false }, 2);
    assert.deepEqual(standing(progress.labs['lab-x'], TASKS, false), {
      passed: 2,
      shown: 0,
      total: 3,
      tried: true,
      done: false,
    });
    assert.equal(progress.labs['lab-x']!.finishedAt, undefined);
    progress = check(progress, { a: false, b: false, c: true }, 3);
    assert.equal(standing(progress.labs['lab-x'], TASKS, false).done, true);
    assert.equal(progress.labs['lab-x']!.finishedAt, at(3).toISOString());
    assert.equal(progress.labs['lab-x']!.tasks.a!.passedAt, at(1).toISOString());
  });

  it("counts, in a class, only tasks whose latest check passed, as the class's record does", () => {
    const progress = check(
      check(emptyProgress(), { a: true, b: true, c: false }, 1),
      { a: false },
      2,
    );
    assert.equal(standing(progress.labs['lab-x'], TASKS, true).passed, 1);
    assert.equal(standing(progress.labs['lab-x'], TASKS, false).passed, 2);
  });

  it('records a task skipped with its solution as shown, never as passed, even after a later pass, and finishes the lab saying so', () => {
    let progress = check(emptyProgress(), { a: true, b: false, c: false }, 1);
    progress = recordCheck(
      progress,
      'lab-x',
      [
        { task: 'a', passed: true },
        { task: 'b', passed: true, shown: true },
        { task: 'c', passed: false },
      ],
      TASKS,
      at(2),
    );
    const b = progress.labs['lab-x']!.tasks.b!;
    assert.equal(b.shownAt, at(2).toISOString());
    assert.equal(b.passedAt, undefined, 'a shown task is not a pass');
    // The learner's own pass later (another session, which knows nothing of the skip).
    progress = check(progress, { a: true, b: true, c: true }, 3);
    assert.equal(progress.labs['lab-x']!.tasks.b!.passedAt, undefined);
    assert.equal(progress.labs['lab-x']!.tasks.b!.shownAt, at(2).toISOString());
    assert.deepEqual(standing(progress.labs['lab-x'], TASKS, false), {
      passed: 2,
      shown: 1,
      total: 3,
      tried: true,
      done: true,
    });
    assert.equal(progress.labs['lab-x']!.finishedAt, at(3).toISOString());
    assert.equal(standing(progress.labs['lab-x'], TASKS, true).shown, 1, 'in a class too');
    // Another browser that only knew the pass: shown wins once the records meet.
    const other = check(emptyProgress(), { b: true }, 1);
    assert.equal(
      mergeProgress(other, progress).labs['lab-x']!.tasks.b!.shownAt,
      at(2).toISOString(),
    );
    assert.equal(readProgressFile(JSON.stringify(progressFile(progress, at(4)))).ok, true);
  });

  it('shows a lab never tried as not tried, and ignores tasks the lab no longer has', () => {
    assert.equal(standing(undefined, TASKS, false).tried, false);
    const progress = check(emptyProgress(), { gone: true }, 1);
    assert.deepEqual(standing(progress.labs['lab-x'], TASKS, false), {
      passed: 0,
      shown: 0,
      total: 3,
      tried: false,
      done: false,
    });
  });

  it("adds an imported record to this browser's without losing either, and leaves imported passes out in a class", () => {
    const mine = check(emptyProgress(), { a: false, b: true }, 5);
    const theirs = check(emptyProgress(), { a: true, c: true, b: true }, 1);
    const merged = mergeProgress(mine, theirs);
    const lab = merged.labs['lab-x']!;
    assert.equal(lab.tasks.b!.passedAt, at(1).toISOString(), 'the earliest pass is kept');
    assert.equal(lab.tasks.b!.imported, undefined, "this browser's own verdict stays its own");
    assert.equal(lab.tasks.a!.last, 'failed', "this browser's latest verdict is kept");
    assert.equal(lab.tasks.a!.passedAt, at(1).toISOString());
    assert.equal(lab.tasks.c!.imported, true);
    assert.equal(standing(lab, TASKS, false).done, true);
    // In a class: c came from a file (the class never saw it), a failed at its latest check here.
    assert.equal(standing(lab, TASKS, true).passed, 1);
    // A check here afterwards makes an imported task this browser's own.
    const checked = check(merged, { c: true }, 9);
    assert.equal(checked.labs['lab-x']!.tasks.c!.imported, undefined);
    assert.equal(checked.labs['lab-x']!.tasks.c!.passedAt, at(9).toISOString());
  });

  it('reads back an exported file', () => {
    const progress = check(emptyProgress(), { a: true }, 1);
    const read = readProgressFile(JSON.stringify(progressFile(progress, at(2))));
    assert.deepEqual(read, { ok: true, value: progress });
  });

  it('refuses a file that is not a readable progress file, saying why', () => {
    const file = progressFile(check(emptyProgress(), { a: true }, 1), at(2));
    const cases: [string, RegExp][] = [
      ['{ not json', /not a Drydock progress file \(it is not JSON\)/],
      ['[1, 2]', /not a Drydock progress file\. Choose the file that "Export" saved/],
      [JSON.stringify({ labs: {} }), /not a Drydock progress file/],
      [JSON.stringify({ ...file, version: 7 }), /version 7, which this site cannot read/],
      [
        JSON.stringify({ ...file, labs: { 'lab-x': { tasks: { a: { last: 'maybe' } } } } }),
        /damaged \(labs\.lab-x\.tasks\.a\.last: /,
      ],
      ['x'.repeat(2 * 1024 * 1024), /far too big/],
    ];
    for (const [text, why] of cases) {
      const read = readProgressFile(text);
      assert.equal(read.ok, false, text.slice(0, 60));
      if (!read.ok) assert.match(read.why, why);
    }
  });
});

/**
 * The authors' figures from recorded events (lab-server/authoring/lab-stats.ts):
 * starts and completions, time per task from reaching it to passing it, the
 * failing messages grouped (numbers aside), where learners stopped, and a
 * task whose solution was shown counted apart from the ones learners passed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labStats, type LabActivity } from '../../lab-server/authoring/lab-stats.ts';

const lab = {
  slug: 'harbour',
  title: 'Harbour',
  tasks: [
    { id: 'image', title: 'The image ships its template' },
    { id: 'runs', title: 'The service runs' },
    { id: 'kept', title: 'The logbook is kept' },
  ],
};
const T0 = Date.parse('2026-12-01T09:00:00Z');
const s = (n: number) => T0 + n * 1000;
const window = { since: T0 - 86_400_000, until: s(3600) };

type Verdicts = Record<string, boolean | string>;
/** A checked event: `true` passed, a string is the failing check's message. */
const checked = (sessionId: string, at: number, verdicts: Verdicts) => ({
  sessionId,
  type: 'checked',
  at,
  data: {
    results: Object.entries(verdicts).map(([task, v]) => ({
      task,
      passed: v === true,
      message: v === true ? 'ok' : String(v),
    })),
  },
});
const ready = (sessionId: string, at: number) => ({ sessionId, type: 'ready', at, data: {} });

describe('a lab’s figures for its authors', () => {
  const activity: LabActivity = {
    sessions: [
      { id: 'a', createdAt: s(0), endedAt: s(900) },
      { id: 'b', createdAt: s(0), endedAt: s(600) },
      { id: 'c', createdAt: s(0), endedAt: null },
      { id: 'd', createdAt: s(0), endedAt: s(100) },
      { id: 'e', createdAt: s(0), endedAt: s(700) },
    ],
    events: [
      // a: fails the first task twice, then passes all three in order: completed.
      ready('a', s(10)),
      checked('a', s(70), {
        image: 'The image has 3 files under /home/app (build 7e5e14, 5 days old).\nmore',
        runs: 'down',
        kept: 'down',
      }),
      checked('a', s(130), {
        image: 'The image has 4 files under /home/app (build 221c8e, 12 days old).',
        runs: 'down',
        kept: 'down',
      }),
      checked('a', s(190), { image: true, runs: 'Restarting (1)', kept: true }),
      checked('a', s(310), { image: true, runs: true, kept: true }),
      // b: fails the first task once and leaves: stopped at the first task.
      ready('b', s(5)),
      checked('b', s(65), {
        image: 'The image has 7 files under /home/app (build 07de17, 9 days old).',
        runs: 'down',
        kept: 'down',
      }),
      // c: still running, through the first task after 30 s.
      ready('c', s(20)),
      checked('c', s(50), { image: true, runs: 'down', kept: 'down' }),
      // d: never got a sandbox.
      // e: passes the first, has the second's solution applied, passes the third.
      ready('e', s(0)),
      checked('e', s(100), { image: true, runs: 'down', kept: 'down' }),
      {
        sessionId: 'e',
        type: 'solution-applied',
        at: s(200),
        data: { task: 'runs', shown: ['runs'], seconds: 3 },
      },
      checked('e', s(201), { image: true, runs: true, kept: true }),
    ],
  };
  const figures = labStats(lab, activity, window);
  const task = (id: string) => figures.tasks.find((t) => t.id === id)!;

  it('counts starts, ready sandboxes, completions and sessions still running', () => {
    assert.equal(figures.started, 5);
    assert.equal(figures.ready, 4);
    // e had a solution shown: it did not complete the lab on its own.
    assert.equal(figures.completed, 1);
    assert.equal(figures.medianSecondsToComplete, 300);
    assert.equal(figures.live, 1);
  });

  it('times each task from reaching it to its first pass', () => {
    // a: 190 - 10 = 180 s; c: 50 - 20 = 30 s; e: 100 s. Median 100.
    assert.equal(task('image').reached, 4);
    assert.equal(task('image').passed, 3);
    assert.equal(task('image').medianSeconds, 100);
    // a reached it at 190 and passed at 310: 120 s; e's was shown, not passed.
    assert.equal(task('runs').reached, 3);
    assert.equal(task('runs').passed, 1);
    assert.equal(task('runs').shown, 1);
    assert.equal(task('runs').medianSeconds, 120);
    // a passed it before reaching it (at 190, reached at 310): 0 s; e reached it with the
    // shown solution (200) and passed it at 201: 1 s. Median 0.5.
    assert.equal(task('kept').reached, 2);
    assert.equal(task('kept').passed, 2);
    assert.equal(task('kept').medianSeconds, 0.5);
  });

  it('groups failing messages by their first line, words with digits aside, most frequent first', () => {
    assert.equal(task('image').failedChecks, 3);
    assert.deepEqual(task('image').topFailures, [
      {
        message: 'The image has 3 files under /home/app (build 7e5e14, 5 days old).',
        count: 3,
        sessions: 2,
      },
    ]);
    const runs = task('runs').topFailures;
    assert.equal(runs[0]!.message, 'down');
    assert.equal(runs[0]!.count, 5);
    assert.equal(runs[0]!.sessions, 4);
    assert.deepEqual(runs[1], { message: 'Restarting (1)', count: 1, sessions: 1 });
  });

  it('says where learners who left stopped', () => {
    assert.equal(task('image').stoppedHere, 1);
    assert.equal(task('runs').stoppedHere, 0);
    assert.equal(task('kept').stoppedHere, 0);
  });

  it('has nothing to say of a lab nobody started', () => {
    const empty = labStats(lab, { sessions: [], events: [] }, window);
    assert.equal(empty.started, 0);
    assert.equal(empty.completed, 0);
    assert.equal(empty.medianSecondsToComplete, undefined);
    assert.deepEqual(
      empty.tasks.map((t) => [t.reached, t.passed, t.medianSeconds, t.topFailures.length]),
      [
        [0, 0, undefined, 0],
        [0, 0, undefined, 0],
        [0, 0, undefined, 0],
      ],
    );
  });
});

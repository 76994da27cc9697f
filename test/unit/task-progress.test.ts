import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type LabActivity,
  labProgress,
  mostStuck,
} from '../../lab-server/progress/task-progress.ts';

const TASKS = ['build', 'run', 'clean'] as const;
const MIN = 60_000;

/** A check at minute `minute` with the verdicts given as task → message ('ok' passes). */
const check = (minute: number, verdicts: Record<string, string>) => ({
  at: minute * MIN,
  results: Object.entries(verdicts).map(([task, message]) => ({
    task,
    passed: message === 'ok',
    message,
  })),
});

describe('a learner’s progress in a lab', () => {
  it('is all not started, with no current time, before any Start', () => {
    const progress = labProgress(TASKS, { starts: [], checks: [] });
    assert.deepEqual(
      progress.tasks.map((t) => [t.task, t.state, t.attempts]),
      [
        ['build', 'not-started', 0],
        ['run', 'not-started', 0],
        ['clean', 'not-started', 0],
      ],
    );
    assert.equal(progress.current, 'build');
    assert.equal(progress.startedAt, undefined);
    assert.equal(progress.currentSince, undefined);
  });

  it('counts attempts to the first pass, and the time since the last step forward', () => {
    const activity: LabActivity = {
      starts: [10 * MIN],
      checks: [
        check(12, { build: 'no image', run: 'nothing runs', clean: 'dangling: 3' }),
        check(15, { build: 'ok', run: 'nothing runs', clean: 'dangling: 3' }),
        check(16, { build: 'ok', run: 'exits at once', clean: 'dangling: 3' }),
        check(21, { build: 'ok', run: 'ok', clean: 'dangling: 1' }),
      ],
    };
    const progress = labProgress(TASKS, activity);
    const [build, run, clean] = progress.tasks;
    assert.deepEqual(
      [build!.state, build!.attempts, build!.firstPassedAt, build!.timeSpentMs],
      ['passed', 2, 15 * MIN, 5 * MIN],
    );
    assert.deepEqual(
      [run!.state, run!.attempts, run!.firstPassedAt, run!.timeSpentMs],
      ['passed', 4, 21 * MIN, 6 * MIN],
    );
    assert.deepEqual(
      [clean!.state, clean!.attempts, clean!.firstPassedAt, clean!.lastMessage],
      ['failing', 4, undefined, 'dangling: 1'],
    );
    assert.equal(progress.current, 'clean');
    assert.equal(progress.currentSince, 21 * MIN);
    assert.equal(progress.lastActivityAt, 21 * MIN);
  });

  it('shows a task a later change broke as failing, and keeps when it first passed', () => {
    const progress = labProgress(TASKS, {
      starts: [0],
      checks: [
        check(3, { build: 'ok', run: 'ok', clean: 'dangling: 2' }),
        check(5, { build: 'the image is gone', run: 'ok', clean: 'ok' }),
      ],
    });
    const build = progress.tasks[0]!;
    assert.deepEqual(
      [build.state, build.firstPassedAt, build.attempts, build.lastMessage],
      ['failing', 3 * MIN, 1, 'the image is gone'],
    );
    assert.equal(progress.current, 'build', 'the first task that does not pass now');
  });

  it('is done, with no current task, when every task’s latest verdict passes', () => {
    const progress = labProgress(TASKS, {
      starts: [0, 30 * MIN],
      checks: [check(31, { build: 'ok', run: 'ok', clean: 'ok' })],
    });
    assert.equal(progress.current, undefined);
    assert.equal(progress.startedAt, 0, 'the first Start, across sessions');
    assert.deepEqual(
      progress.tasks.map((t) => t.timeSpentMs),
      [31 * MIN, 31 * MIN, 31 * MIN],
    );
  });

  it('keeps a task skipped with its solution shown, not passed, whatever later checks say, and moves on past it', () => {
    const progress = labProgress(TASKS, {
      starts: [0],
      checks: [
        check(2, { build: 'no image', run: 'nothing runs', clean: 'dangling: 3' }),
        // The check that follows the skip, recorded just after it at the same time.
        check(6, { build: 'ok', run: 'ok', clean: 'dangling: 3' }),
        check(8, { build: 'the image is gone', run: 'ok', clean: 'ok' }),
      ],
      solutions: [{ at: 6 * MIN, tasks: ['build', 'run'] }],
    });
    const [build, run, clean] = progress.tasks;
    assert.deepEqual(
      [build!.state, build!.shownAt, build!.firstPassedAt, build!.attempts, build!.lastMessage],
      ['shown', 6 * MIN, undefined, 1, 'the image is gone'],
    );
    assert.deepEqual([run!.state, run!.firstPassedAt], ['shown', undefined]);
    assert.deepEqual(
      [clean!.state, clean!.firstPassedAt, clean!.timeSpentMs],
      ['passed', 8 * MIN, 2 * MIN],
    );
    assert.equal(progress.current, undefined, 'shown tasks are out of the way');
  });

  it('reads checks in time order whatever order they come in, and ignores tasks the lab no longer has', () => {
    const progress = labProgress(TASKS, {
      starts: [0],
      checks: [
        check(9, { build: 'ok', run: 'ok', gone: 'ok' }),
        check(4, { build: 'no image', run: 'nothing runs' }),
      ],
    });
    assert.deepEqual(
      progress.tasks.map((t) => [t.task, t.attempts, t.firstPassedAt]),
      [
        ['build', 2, 9 * MIN],
        ['run', 2, 9 * MIN],
        ['clean', 0, undefined],
      ],
    );
  });
});

describe('where a class is stuck', () => {
  const learner = (verdicts: Record<string, string>[]) =>
    labProgress(TASKS, { starts: [0], checks: verdicts.map((v, i) => check(i + 1, v)) });

  it('is the task most learners are failing on now, with the message most of them see', () => {
    const stuck = mostStuck(TASKS, [
      learner([{ build: 'ok', run: 'exits at once: no such file /app/start.sh' }]),
      learner([{ build: 'ok', run: 'exits at once: no such file /app/start.sh' }]),
      learner([{ build: 'ok', run: 'port 8080 not published' }]),
      learner([{ build: 'no image' }]),
      learner([{ build: 'ok', run: 'ok', clean: 'ok' }]),
    ]);
    assert.deepEqual(stuck, {
      task: 'run',
      learners: 3,
      commonMessage: { message: 'exits at once: no such file /app/start.sh', learners: 2 },
    });
  });

  it('counts nobody who has not checked yet, and is undefined when nobody is failing', () => {
    assert.equal(
      mostStuck(TASKS, [learner([]), learner([{ build: 'ok', run: 'ok', clean: 'ok' }])]),
      undefined,
    );
  });

  it('goes to the earlier task on a tie', () => {
    const stuck = mostStuck(TASKS, [
      learner([{ build: 'ok', run: 'ok', clean: 'dangling: 2' }]),
      learner([{ build: 'no image' }]),
    ]);
    assert.equal(stuck?.task, 'build');
  });
});

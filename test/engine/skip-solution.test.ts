/**
 * Skipping a task with its solution in a real sandbox (dangling-images-cleanup),
 * for a learner in a class whose instructor has a results webhook: skipping task 2
 * while task 1 does not pass yet runs the solve steps of both (`solve.sh <task>`,
 * as the learner's shell would), both count as shown, not passed, and stay so at
 * a later Check, on the class's dashboard and in its CSV; task 3, which the
 * applied prune happens to complete, passes and is the only one the webhook
 * reports. A task that passes has nothing to apply.
 *
 * A later genuine pass does not upgrade a shown task (docs/running-a-class.md):
 * the learner has seen the fix, so the class counts it as shown for good.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClassProgress } from '../../protocol/class-progress.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import type { SolutionResponse } from '../../protocol/solutions.ts';
import { TaskCompletedSchema } from '../../protocol/webhooks.ts';
import { newWebhookSecret } from '../../lab-server/webhooks/webhook-secret.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const LAB = 'dangling-images-cleanup';
const [FIRST, SECOND, THIRD] = [
  'old-builds-removed',
  'releases-and-smoke-tests-kept',
  'recent-and-tally-kept',
];
const SECRET = newWebhookSecret();

describe('skipping a task with its solution, in a real sandbox of a class', () => {
  let platform: TestPlatform;
  let receiver: WebhookReceiver;
  let instructor: string;
  let classId: string;
  const learner = `skip-ada-${process.pid}-aaaaaa`;
  let session: { id: string; token: string };

  const post = (path: string) =>
    fetch(`${platform.url}/api/sessions/${session.id}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
  const check = async () => {
    const res = await post('/check');
    assert.equal(res.status, 200);
    return ((await res.json()) as SolutionResponse).results;
  };
  const verdicts = (results: SolutionResponse['results']) =>
    results.map((r) => [r.task, r.passed, r.shown ?? false]);

  before(async () => {
    receiver = await WebhookReceiver.start(SECRET);
    platform = await startPlatform(
      { DRYDOCK_WEBHOOK_URL: receiver.url, DRYDOCK_WEBHOOK_SECRET: SECRET },
      { listen: true },
    );
    instructor = await signedInStaff(platform, 'instructor', 'Ivo');
    const made = await openClass(platform, instructor, [LAB], 'Images, Friday');
    classId = made.id;
    await joinClass(platform, made.joinCode, learner, 'Ada');
    const res = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEARNER_HEADER]: learner },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(res.status, 201);
    session = (await res.json()) as typeof session;
    await platform.sessions.find(session.id)!.provisioned;
    assert.equal(platform.sessions.find(session.id)!.state, 'ready');
  });
  after(async () => {
    await platform?.close();
    await receiver?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('solves the earlier task that does not pass and the one skipped, and counts both as shown', async () => {
    assert.deepEqual(
      verdicts(await check()),
      [
        [FIRST, false, false],
        [SECOND, false, false],
        [THIRD, false, false],
      ],
      'the scenario starts broken',
    );
    const res = await post(`/tasks/${SECOND}/solution`);
    const answer = (await res.json()) as SolutionResponse;
    assert.equal(res.status, 200, JSON.stringify(answer));
    assert.deepEqual(answer.shown, [FIRST, SECOND]);
    assert.deepEqual(
      answer.steps.map((s) => s.task),
      [FIRST, SECOND],
    );
    assert.match(answer.steps[0]!.output, /Total reclaimed space/, 'the prune ran');
    assert.match(answer.steps[1]!.output, /Nothing to run/);
    assert.deepEqual(verdicts(answer.results), [
      [FIRST, true, true],
      [SECOND, true, true],
      [THIRD, true, false],
    ]);
  });

  it('keeps them shown at a later Check, and has nothing to apply for a task that passes', async () => {
    assert.deepEqual(verdicts(await check()), [
      [FIRST, true, true],
      [SECOND, true, true],
      [THIRD, true, false],
    ]);
    for (const task of [SECOND, THIRD]) {
      const res = await post(`/tasks/${task}/solution`);
      assert.equal(res.status, 409);
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        'TASK_ALREADY_PASSED',
      );
    }
  });

  it('shows the class the tasks as shown, in the dashboard and the CSV', async () => {
    const res = await fetch(`${platform.url}/api/classes/${classId}/progress`, {
      headers: { cookie: instructor },
    });
    assert.equal(res.status, 200);
    const [ada] = ((await res.json()) as ClassProgress).learners;
    assert.deepEqual(
      ada!.labs[LAB]!.map((cell) => [cell.task, cell.state, cell.shownAt !== undefined]),
      [
        [FIRST, 'shown', true],
        [SECOND, 'shown', true],
        [THIRD, 'passed', false],
      ],
    );
    assert.equal(ada!.currentTask, undefined, 'nothing left in her way');

    const csv = await (
      await fetch(`${platform.url}/api/classes/${classId}/results.csv`, {
        headers: { cookie: instructor },
      })
    ).text();
    const status = (task: string) =>
      csv
        .split('\n')
        .find((line) => line.startsWith(`Ada,${LAB},${task},`))
        ?.split(',')[3];
    assert.deepEqual(
      [status(FIRST), status(SECOND), status(THIRD)],
      ['solution shown', 'solution shown', 'passed'],
    );
  });

  it('sends task.completed only for the task the learner’s sandbox passed, not for the shown ones', async () => {
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 500));
    const tasks = receiver.received.map((r) => {
      assert.equal(r.error, undefined, `a request did not verify: ${r.body}`);
      return TaskCompletedSchema.parse(r.verified).data.task.id;
    });
    assert.deepEqual(tasks, [THIRD]);
  });
});

/**
 * The results webhook against a real sandbox, as a class's receiver sees it: a
 * learner in a class starts the lab, checks the broken scenario, fixes it and
 * checks again; the receiver (node:http, verifying with `standardwebhooks`)
 * gets exactly one verified `task.completed` per task, when it first passed,
 * with the lab, the task, the attempts and the class and member it belongs to;
 * a further passing Check sends nothing more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { type TaskCompleted, TaskCompletedSchema } from '../../protocol/webhooks.ts';
import { newWebhookSecret } from '../../lab-server/webhooks/webhook-secret.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const LAB = 'named-volume-masks-image';
const SECRET = newWebhookSecret();

describe('the results webhook, from a real sandbox in a class', () => {
  let platform: TestPlatform;
  let receiver: WebhookReceiver;
  let classId: string;
  const learner = `hook-ada-${process.pid}-aaaaaa`;
  let session: { id: string; token: string };
  /** The lab's tasks that passed at the first, broken-scenario Check. */
  let passedAtFirst: string[] = [];

  const check = async () => {
    const res = await fetch(`${platform.url}/api/sessions/${session.id}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { results: { task: string; passed: boolean }[] }).results;
  };
  /** What the receiver verified, as the schema a receiver would parse it with. */
  const events = (): TaskCompleted[] =>
    receiver.received.map((r) => {
      assert.equal(r.error, undefined, `a request did not verify: ${r.body}`);
      return TaskCompletedSchema.parse(r.verified);
    });

  before(async () => {
    receiver = await WebhookReceiver.start(SECRET);
    platform = await startPlatform(
      { DRYDOCK_WEBHOOK_URL: receiver.url, DRYDOCK_WEBHOOK_SECRET: SECRET },
      { listen: true },
    );
    const instructor = await signedInStaff(platform, 'instructor', 'Ivo');
    const made = await openClass(platform, instructor, [LAB], 'Volumes, Thursday');
    classId = made.id;
    await joinClass(platform, made.joinCode, learner, 'Ada <i>Lovelace</i>');
  });
  after(async () => {
    await platform?.close();
    await receiver?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('sends nothing for a task the first Check fails', async () => {
    const res = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEARNER_HEADER]: learner },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(res.status, 201);
    session = (await res.json()) as typeof session;
    await platform.sessions.find(session.id)!.provisioned;
    const results = await check();
    assert.ok(
      results.some((r) => !r.passed),
      'the scenario starts broken',
    );
    passedAtFirst = results.filter((r) => r.passed).map((r) => r.task);
    if (passedAtFirst.length > 0) await receiver.waitFor(passedAtFirst.length);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      events()
        .map((e) => e.data.task.id)
        .sort(),
      [...passedAtFirst].sort(),
      'only tasks that passed',
    );
  });

  it('sends one verified task.completed per task once the learner fixed the lab', async () => {
    const live = platform.sessions.find(session.id);
    assert.ok(live?.runner);
    const solved = await live.runner.run('solve.sh', 120_000);
    assert.equal(solved.exitCode, 0, solved.output);
    const checkedAt = Date.now();
    const results = await check();
    assert.ok(
      results.every((r) => r.passed),
      JSON.stringify(results),
    );
    const lab = platform.app.labs.lab(LAB)!;
    const tasks = lab.manifest.tasks;
    await receiver.waitFor(tasks.length);
    const got = events();
    assert.deepEqual(
      got.map((e) => e.data.task.id).sort(),
      tasks.map((t) => t.id).sort(),
      'exactly one per task',
    );
    const [member] = await platform.app.store.classes.members(classId);
    for (const event of got) {
      const task = tasks.find((t) => t.id === event.data.task.id)!;
      const first = passedAtFirst.includes(task.id);
      assert.equal(event.type, 'task.completed');
      assert.equal(event.data.sessionId, session.id);
      assert.deepEqual(event.data.lab, { slug: LAB, title: lab.manifest.title });
      assert.equal(event.data.task.title, task.title);
      assert.equal(event.data.attempts, first ? 1 : 2, `${task.id}: checks until it passed`);
      assert.ok(event.data.timeSpentSeconds !== undefined && event.data.timeSpentSeconds >= 0);
      assert.deepEqual(event.data.class, { id: classId, name: 'Volumes, Thursday' });
      assert.deepEqual(event.data.member, { id: member!.id, displayName: 'Ada <i>Lovelace</i>' });
      if (!first)
        assert.ok(
          Math.abs(Date.parse(event.data.passedAt) - checkedAt) < 60_000,
          'passed at the second Check',
        );
    }
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, tasks.length, 'each message its own webhook-id');
  });

  it('sends nothing more for a Check that passes again', async () => {
    const before = receiver.received.length;
    await check();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(receiver.received.length, before);
    const stored = await platform.app.store.webhooks.messagesOf(session.id);
    assert.equal(stored.length, before);
    assert.ok(stored.every((m) => m.state === 'delivered' && m.attempts === 1));
  });
});

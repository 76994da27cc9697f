/**
 * The results webhook through the whole app (in-memory sandboxes whose checks
 * pass): a self-paced learner's first passing Check sends one verified
 * `task.completed` carrying no identity beyond the session id; passing again
 * sends nothing more; a server without the webhook writes nothing to send.
 * test/engine/results-webhook.test.ts does it in a real sandbox, in a class.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { TaskCompletedSchema } from '../../protocol/webhooks.ts';
import { newWebhookSecret } from '../../lab-server/webhooks/webhook-secret.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = newWebhookSecret();

async function startAndCheck(app: FastifyInstance, checks: number) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    payload: { lab: 'tiny-lab' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id, token } = created.json<{ id: string; token: string }>();
  await app.sessions.get(id, token).provisioned;
  for (let i = 0; i < checks; i++) {
    const res = await app.inject({
      method: 'POST',
      url: `/api/sessions/${id}/check`,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<{ results: { passed: boolean }[] }>().results[0]!.passed, true);
  }
  return id;
}

/** Waits until the store's outbox has `n` messages for the session. */
async function outboxed(app: FastifyInstance, sessionId: string, n: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const messages = await app.store.webhooks.messagesOf(sessionId);
    if (messages.length >= n) return messages;
    if (Date.now() > deadline) throw new Error(`${messages.length} messages, not ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the results webhook, through the app', () => {
  const platforms: FakePlatform[] = [];
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const p of platforms) await p.close();
    for (const r of receivers) await r.close();
  });

  it('sends a self-paced learner’s completed task once, verified, with nothing about who they are', async () => {
    const receiver = await WebhookReceiver.start(SECRET);
    receivers.push(receiver);
    const platform = await startFakePlatform({
      DRYDOCK_WEBHOOK_URL: receiver.url,
      DRYDOCK_WEBHOOK_SECRET: SECRET,
    });
    platforms.push(platform);
    const sessionId = await startAndCheck(platform.app, 2);
    const [got] = await receiver.waitFor(1);
    assert.equal(got!.error, undefined);
    const event = TaskCompletedSchema.parse(got!.verified);
    assert.equal(event.type, 'task.completed');
    assert.equal(event.data.sessionId, sessionId);
    assert.deepEqual(event.data.lab, { slug: 'tiny-lab', title: 'A tiny lab' });
    assert.deepEqual(event.data.task, { id: 'web-runs', title: 'A container named web runs' });
    assert.equal(event.data.attempts, 1);
    assert.equal(event.timestamp, event.data.passedAt);
    assert.equal(typeof event.data.timeSpentSeconds, 'number');
    assert.equal(event.data.class, undefined);
    assert.equal(event.data.member, undefined);
    assert.deepEqual(Object.keys(event.data).sort(), [
      'attempts',
      'lab',
      'passedAt',
      'sessionId',
      'task',
      'timeSpentSeconds',
    ]);
    // The second passing Check completed nothing new.
    const messages = await outboxed(platform.app, sessionId, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(messages.length, 1);
    assert.equal((await platform.app.store.webhooks.messagesOf(sessionId)).length, 1);
    assert.equal(receiver.received.length, 1);
    assert.equal(got!.headers['webhook-id'], messages[0]!.id);
  });

  it('writes nothing to send when no webhook is configured', async () => {
    const platform = await startFakePlatform();
    platforms.push(platform);
    assert.equal(platform.app.webhooks, undefined);
    const sessionId = await startAndCheck(platform.app, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await platform.app.store.webhooks.messagesOf(sessionId), []);
  });
});

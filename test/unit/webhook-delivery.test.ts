/**
 * The results webhook's deliverer against a real HTTP receiver that verifies
 * with `standardwebhooks`, and a real session store: a message arrives signed
 * and verifies; a receiver that fails (500) gets the same webhook-id again once
 * it answers; a tampered body or another secret fails verification; a redirect
 * is not followed; a receiver that never answers times out; the last failure is
 * given up with a warning; a message written while no server ran is sent when
 * one starts. Every attempt's outcome is counted in /metrics's counter.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { createMetrics } from '../../lab-server/observability/metrics.ts';
import { Signals } from '../../lab-server/signals.ts';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { WebhookDeliverer } from '../../lab-server/webhooks/webhook-deliverer.ts';
import { newWebhookSecret } from '../../lab-server/webhooks/webhook-secret.ts';
import { sample } from '../support/metrics-text.ts';
import { openTestStore } from '../support/store.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = newWebhookSecret();

describe('results webhook delivery', () => {
  let store: SessionStore;
  let closeStore: () => Promise<void>;
  const owner = `webhook-test-${randomBytes(4).toString('hex')}`;
  const sessionId = `s_webhook_${randomBytes(4).toString('hex')}`;
  const receivers: WebhookReceiver[] = [];
  const deliverers: WebhookDeliverer[] = [];
  const lines: { level: number; msg: string; webhook?: string }[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    }),
  ) as unknown as FastifyBaseLogger;
  const signals = new Signals();
  const metrics = createMetrics(signals, { sessions: () => undefined, waiting: () => 0 });
  let n = 0;

  const receiver = async () => {
    const r = await WebhookReceiver.start(SECRET);
    receivers.push(r);
    return r;
  };
  const deliverer = (
    url: string,
    extra: Partial<ConstructorParameters<typeof WebhookDeliverer>[0]> = {},
  ) => {
    const d = new WebhookDeliverer({
      outbox: store.webhooks,
      owner,
      url,
      secret: SECRET,
      log,
      signals,
      retryDelaysMs: [50, 100],
      ...extra,
    });
    deliverers.push(d);
    return d;
  };
  /** A message in the outbox, as a Check's completion writes one. */
  const enqueue = async () => {
    const id = `msg_test_${++n}_${randomBytes(4).toString('hex')}`;
    const payload = JSON.stringify({
      type: 'task.completed',
      timestamp: new Date().toISOString(),
      data: { n },
    });
    assert.ok(
      await store.webhooks.enqueue({
        id,
        owner,
        type: 'task.completed',
        sessionId,
        task: `task-${n}`,
        payload,
        createdAt: Date.now(),
      }),
    );
    return { id, payload };
  };
  const settled = async (id: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await store.webhooks.message(id);
      if (message && message.state !== 'pending') return message;
      if (Date.now() > deadline) throw new Error(`still pending: ${JSON.stringify(message)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const counted = async (outcome: string) =>
    sample(await metrics.metrics(), 'drydock_webhook_deliveries_total', { outcome }) ?? 0;

  before(async () => {
    ({ store, close: closeStore } = await openTestStore());
    const now = Date.now();
    await store.createSession({
      id: sessionId,
      owner,
      lab: 'tiny-lab',
      tokenHash: 'a'.repeat(64),
      seed: 'c0ffee',
      learner: null,
      state: 'ready',
      message: 'Ready',
      endReason: null,
      createdAt: now,
      expiresAt: now + 3_600_000,
      endedAt: null,
      extensions: 0,
    });
  });
  after(async () => {
    for (const d of deliverers) await d.close();
    for (const r of receivers) await r.close();
    await closeStore?.();
  });

  it('posts the message as JSON, signed so that the receiver’s Webhook.verify takes it', async () => {
    const r = await receiver();
    const d = deliverer(r.url);
    d.start();
    const { id, payload } = await enqueue();
    d.nudge();
    const [got] = await r.waitFor(1);
    assert.equal(got!.error, undefined);
    assert.deepEqual(got!.verified, JSON.parse(payload));
    assert.equal(got!.body, payload, 'the body is sent byte for byte as stored');
    assert.equal(got!.headers['webhook-id'], id);
    assert.match(String(got!.headers['webhook-timestamp']), /^\d{10}$/);
    assert.match(String(got!.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
    assert.equal(got!.headers['content-type'], 'application/json');
    const done = await settled(id);
    assert.deepEqual([done.state, done.attempts], ['delivered', 1]);
    assert.ok((await counted('delivered')) >= 1);
    await d.close();
  });

  it('fails verification at the receiver for a tampered body or another secret', async () => {
    const r = await receiver();
    const d = deliverer(r.url);
    d.start();
    const { id, payload } = await enqueue();
    d.nudge();
    const [got] = await r.waitFor(1);
    assert.ok(got!.verified, 'the body as sent verifies');
    const tampered = payload.replace(/"n":\d+/, '"n":999');
    assert.notEqual(tampered, payload);
    assert.match(r.verify(tampered, got!.headers).error ?? '', /No matching signature/);
    const stranger = new Webhook(newWebhookSecret());
    assert.throws(
      () => stranger.verify(payload, got!.headers as Record<string, string>),
      /No matching signature/,
    );
    const forged = { ...got!.headers, 'webhook-id': 'msg_forged' };
    assert.match(
      r.verify(payload, forged).error ?? '',
      /No matching signature/,
      'the id is signed too',
    );
    // Closing cuts off an attempt whose answer has not been read yet, and the next
    // test's deliverer (same owner) would send this message again first.
    await settled(id);
    await d.close();
  });

  it('tries a failing receiver again with the same webhook-id until it answers 200', async () => {
    const r = await receiver();
    r.answers = [500];
    const retriedBefore = await counted('retried');
    const d = deliverer(r.url);
    d.start();
    const { id } = await enqueue();
    d.nudge();
    const [first, second] = await r.waitFor(2);
    assert.equal(first!.headers['webhook-id'], id);
    assert.equal(
      second!.headers['webhook-id'],
      id,
      'the same id: the receiver can drop a duplicate',
    );
    assert.ok(first!.verified && second!.verified, 'both attempts are signed');
    const done = await settled(id);
    assert.deepEqual([done.state, done.attempts, done.lastError], ['delivered', 2, null]);
    assert.equal(await counted('retried'), retriedBefore + 1);
    await d.close();
  });

  it('does not follow a redirect: the receiver it points to gets nothing', async () => {
    const elsewhere = await receiver();
    const r = await receiver();
    r.answers = [307, 307, 307];
    r.answerHeaders = { location: elsewhere.url };
    const d = deliverer(r.url);
    d.start();
    const { id } = await enqueue();
    d.nudge();
    const failed = await settled(id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.lastError ?? '', /answered 307 \(a redirect, which is not followed/);
    assert.equal(elsewhere.received.length, 0);
    await d.close();
  });

  it('gives up after the last attempt with a warning, and counts it', async () => {
    const r = await receiver();
    r.answers = [503, 503, 503];
    const gaveUpBefore = await counted('gave-up');
    const d = deliverer(r.url);
    d.start();
    const { id } = await enqueue();
    d.nudge();
    const failed = await settled(id);
    assert.deepEqual(
      [failed.state, failed.attempts, failed.lastError],
      ['failed', 3, 'the receiver answered 503'],
    );
    assert.equal(r.received.length, 3, 'one attempt and two retries, as configured');
    assert.equal(await counted('gave-up'), gaveUpBefore + 1);
    const warning = lines.find((l) => l.webhook === id && l.level === 40);
    assert.match(warning?.msg ?? '', /given up after 3 attempts: the receiver answered 503/);
    await d.close();
  });

  it('counts a receiver that does not answer within the timeout as a failed attempt', async () => {
    const r = await receiver();
    r.silent = true;
    const d = deliverer(r.url, { timeoutMs: 200, retryDelaysMs: [] });
    d.start();
    const { id } = await enqueue();
    d.nudge();
    const failed = await settled(id);
    assert.equal(failed.lastError, 'no answer within 0.2 s');
    await d.close();
  });

  it('stops at once beside a receiver that hangs, leaving its message to the next start', async () => {
    const r = await receiver();
    r.silent = true;
    const d = deliverer(r.url);
    d.start();
    const { id } = await enqueue();
    d.nudge();
    await r.waitFor(1);
    const stopping = Date.now();
    await d.close();
    assert.ok(Date.now() - stopping < 1000, 'close() did not wait for the 5 s timeout');
    const message = await store.webhooks.message(id);
    assert.deepEqual([message?.state, message?.attempts], ['pending', 0], 'not counted as tried');
    const next = await receiver();
    const restarted = deliverer(next.url);
    restarted.start();
    const [got] = await next.waitFor(1);
    assert.equal(got!.headers['webhook-id'], id, 'sent again, with the same id');
    assert.equal((await settled(id)).state, 'delivered');
    await restarted.close();
  });

  it('sends what was written while no server ran once one starts (a restart loses nothing)', async () => {
    const r = await receiver();
    const { id } = await enqueue();
    const other = await enqueue();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(r.received.length, 0);
    deliverer(r.url).start();
    const got = await r.waitFor(2);
    assert.deepEqual(got.map((g) => g.headers['webhook-id']).sort(), [id, other.id].sort());
    assert.equal((await settled(id)).state, 'delivered');
  });
});

/**
 * The results webhook's outbox against SQLite and PostgreSQL for real: a
 * message is due at once and stays due until it is delivered or given up, a
 * retry keeps its id and moves it later, a task completes once per session
 * (a second message for it is not written), each server sees only its own, old
 * messages are forgotten with the retention, and a learner's records deleted on
 * request take their messages with them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SessionRecord, SessionStore } from '../../lab-server/store/session-store.ts';
import type { NewOutboxMessage } from '../../lab-server/store/webhook-outbox.ts';
import { postgresBackend, sqliteBackend } from '../support/store-backends.ts';

// Beyond 2^31: bigint columns must come back as these very numbers.
const T = 1_764_000_000_000;

const session = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  owner: 'outbox-test',
  lab: 'named-volume-masks-image',
  tokenHash: 'a'.repeat(64),
  seed: 'c0ffee',
  learner: 'learner:outbox-ada',
  state: 'ready',
  message: 'Ready',
  endReason: null,
  createdAt: T,
  expiresAt: T + 3_600_000,
  endedAt: null,
  extensions: 0,
  ...extra,
});

const message = (id: string, extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
  id,
  owner: 'outbox-test',
  type: 'task.completed',
  sessionId: 's_outbox_one',
  task: `task-${id}`,
  payload: JSON.stringify({ type: 'task.completed', id }),
  createdAt: T,
  ...extra,
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`webhook outbox on ${backend.name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await SessionStore.open(await backend.fresh());
      await store.createSession(session('s_outbox_one'));
      await store.createSession(session('s_outbox_two', { learner: 'learner:outbox-bob' }));
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('keeps a message as given, due at once, pending with no attempts', async () => {
      assert.equal(await store.webhooks.enqueue(message('msg_keep')), true);
      assert.deepEqual(await store.webhooks.message('msg_keep'), {
        ...message('msg_keep'),
        state: 'pending',
        attempts: 0,
        nextAttemptAt: T,
        lastError: null,
        finishedAt: null,
      });
      const due = await store.webhooks.due('outbox-test', T);
      assert.deepEqual(
        due.map((m) => m.id),
        ['msg_keep'],
      );
      assert.equal(await store.webhooks.nextDueAt('outbox-test'), T);
    });

    it('writes a task’s completion once per session, whatever id a second one brings', async () => {
      const first = message('msg_once', { task: 'task-twice' });
      assert.equal(await store.webhooks.enqueue(first), true);
      assert.equal(await store.webhooks.enqueue({ ...first, id: 'msg_once_again' }), false);
      assert.equal(await store.webhooks.message('msg_once_again'), undefined);
      // The same task in another session is another completion.
      assert.equal(
        await store.webhooks.enqueue({ ...first, id: 'msg_other', sessionId: 's_outbox_two' }),
        true,
      );
    });

    it('moves a failed attempt later with the same id, and hands out only what is due', async () => {
      await store.webhooks.enqueue(message('msg_retry', { createdAt: T + 10 }));
      await store.webhooks.retryAt('msg_retry', 1, T + 60_000, 'the receiver answered 500');
      const retried = await store.webhooks.message('msg_retry');
      assert.equal(retried?.attempts, 1);
      assert.equal(retried?.nextAttemptAt, T + 60_000);
      assert.equal(retried?.lastError, 'the receiver answered 500');
      assert.equal(retried?.state, 'pending');
      assert.ok(
        !(await store.webhooks.due('outbox-test', T + 59_999)).some((m) => m.id === 'msg_retry'),
      );
      assert.ok(
        (await store.webhooks.due('outbox-test', T + 60_000)).some((m) => m.id === 'msg_retry'),
      );
    });

    it('stops handing out a message once delivered or given up', async () => {
      await store.webhooks.enqueue(message('msg_done', { createdAt: T + 20 }));
      await store.webhooks.enqueue(message('msg_lost', { createdAt: T + 30 }));
      await store.webhooks.delivered('msg_done', 2, T + 5000);
      await store.webhooks.gaveUp('msg_lost', 6, T + 6000, 'no answer within 5 s');
      const done = await store.webhooks.message('msg_done');
      assert.deepEqual(
        [done?.state, done?.attempts, done?.finishedAt, done?.lastError],
        ['delivered', 2, T + 5000, null],
      );
      const lost = await store.webhooks.message('msg_lost');
      assert.deepEqual(
        [lost?.state, lost?.attempts, lost?.finishedAt, lost?.lastError],
        ['failed', 6, T + 6000, 'no answer within 5 s'],
      );
      const due = (await store.webhooks.due('outbox-test', T + 10_000_000)).map((m) => m.id);
      assert.ok(!due.includes('msg_done') && !due.includes('msg_lost'));
    });

    it('hands a server only its own messages', async () => {
      await store.webhooks.enqueue(
        message('msg_elsewhere', { owner: 'other-server', sessionId: 's_outbox_two' }),
      );
      assert.ok(
        !(await store.webhooks.due('outbox-test', T + 10_000_000)).some(
          (m) => m.id === 'msg_elsewhere',
        ),
      );
      assert.deepEqual(
        (await store.webhooks.due('other-server', T)).map((m) => m.id),
        ['msg_elsewhere'],
      );
      assert.equal(await store.webhooks.nextDueAt('nobody'), undefined);
    });

    it('forgets finished messages and stale pending ones older than the retention, and no others', async () => {
      const fresh = await SessionStore.open(await backend.fresh());
      try {
        await fresh.createSession(session('s_outbox_one'));
        const add = (id: string, createdAt: number) =>
          fresh.webhooks.enqueue(message(id, { createdAt }));
        await add('msg_old_done', T);
        await fresh.webhooks.delivered('msg_old_done', 1, T + 1000);
        await add('msg_old_failed', T);
        await fresh.webhooks.gaveUp('msg_old_failed', 6, T + 2000, 'the receiver answered 500');
        await add('msg_new_done', T);
        await fresh.webhooks.delivered('msg_new_done', 1, T + 9000);
        await add('msg_old_pending', T);
        await add('msg_new_pending', T + 9000);
        assert.equal(await fresh.webhooks.forgetBefore(T + 5000), 3);
        const left = await fresh.webhooks.messagesOf('s_outbox_one');
        assert.deepEqual(left.map((m) => m.id).sort(), ['msg_new_done', 'msg_new_pending']);
      } finally {
        await fresh.close();
      }
    });

    it('deletes a session’s messages with the session (a learner’s records deleted on request)', async () => {
      await store.createSession(session('s_outbox_gone', { learner: 'learner:outbox-cy' }));
      await store.webhooks.enqueue(message('msg_gone', { sessionId: 's_outbox_gone' }));
      await store.updateSession('s_outbox_gone', { state: 'ended', endedAt: T + 100 });
      assert.equal(await store.forgetLearner('learner:outbox-cy', ['named-volume-masks-image']), 1);
      assert.equal(await store.webhooks.message('msg_gone'), undefined);
      assert.deepEqual(await store.webhooks.messagesOf('s_outbox_gone'), []);
    });
  });
}

/**
 * The session store is the source of truth: what a learner did is recorded
 * there, and a restarted server rebuilds its sessions from it. The server runs
 * with the in-memory sandbox backend (sandboxes that outlive one app, as
 * containers outlive a server process) and a real store: SQLite, or PostgreSQL
 * when the lane sets DRYDOCK_TEST_STORE_URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { FakeProvider, startFakePlatform } from '../support/fake-sandbox.ts';
import { openTestStore } from '../support/store.ts';

interface Created {
  id: string;
  token: string;
  expiresAt: string;
}

describe('the session store as the source of truth', () => {
  let store: SessionStore;
  let closeStore: () => Promise<void>;
  before(async () => ({ store, close: closeStore } = await openTestStore()));
  after(() => closeStore());

  const owner = () => `wiring-${randomBytes(4).toString('hex')}`;
  const headers = (token: string) => ({ authorization: `Bearer ${token}` });

  async function start(env: Record<string, string>, provider: FakeProvider) {
    // No warm pools: every sandbox here serves a session (warm-pool.test.ts has the pools).
    return startFakePlatform(
      { DRYDOCK_SHUTDOWN: 'keep', DRYDOCK_WARM_MAX: '0', ...env },
      { store, provider },
    );
  }

  async function createReady(app: Awaited<ReturnType<typeof start>>['app']): Promise<Created> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json<Created>();
    await app.sessions.get(created.id, created.token).provisioned;
    return created;
  }

  it('records a session’s life as events, in order, with its check results', async () => {
    const provider = new FakeProvider();
    const platform = await start({ DRYDOCK_OWNER: owner() }, provider);
    try {
      const { app } = platform;
      const session = await createReady(app);
      const checked = await app.inject({
        method: 'POST',
        url: `/api/sessions/${session.id}/check`,
        headers: headers(session.token),
      });
      assert.equal(checked.statusCode, 200);
      await app.inject({
        method: 'POST',
        url: `/api/sessions/${session.id}/extend`,
        headers: headers(session.token),
      });
      const stopped = await app.inject({
        method: 'DELETE',
        url: `/api/sessions/${session.id}`,
        headers: headers(session.token),
      });
      assert.equal(stopped.statusCode, 204);

      const events = await store.events({ sessionId: session.id });
      assert.deepEqual(
        events.map((e) => e.type),
        ['created', 'ready', 'checked', 'extended', 'ended'],
      );
      // Each verdict with the message the learner saw.
      const answered = checked.json<{
        results: { task: string; passed: boolean; output: string }[];
      }>().results;
      assert.deepEqual(
        events[2]!.data.results,
        answered.map(({ task, passed, output }) => ({ task, passed, message: output })),
      );
      assert.equal(answered.length, 1);
      assert.equal(events[3]!.data.by, 'learner');
      assert.equal(events[4]!.data.reason, 'stopped');
      const checks = await store.checks(session.id);
      assert.deepEqual(
        checks.map((c) => [c.task, c.passed]),
        [['web-runs', true]],
      );
      const record = await store.session(session.id);
      assert.equal(record?.state, 'ended');
      assert.equal(record?.endReason, 'stopped');
      assert.equal(record?.extensions, 1);
      assert.equal(
        (await store.sandboxOf(session.id)) ?? 'none',
        'none',
        'the removed sandbox is no longer in the store',
      );
    } finally {
      await platform.close();
    }
  });

  it('adopts a live session after a restart, with its extension, and tells an ended one’s learner why', async () => {
    const provider = new FakeProvider();
    const env = { DRYDOCK_OWNER: owner() };
    const first = await start(env, provider);
    let live: Created;
    let stopped: Created;
    try {
      live = await createReady(first.app);
      stopped = await createReady(first.app);
      const extended = await first.app.inject({
        method: 'POST',
        url: `/api/sessions/${live.id}/extend`,
        headers: headers(live.token),
      });
      assert.equal(extended.statusCode, 200);
      live.expiresAt = extended.json<Created>().expiresAt;
      await first.app.inject({
        method: 'DELETE',
        url: `/api/sessions/${stopped.id}`,
        headers: headers(stopped.token),
      });
    } finally {
      await first.close();
    }
    assert.equal(provider.live.size, 1, 'DRYDOCK_SHUTDOWN=keep left the ready sandbox running');

    const second = await start(env, provider);
    try {
      const again = await second.app.inject({
        url: `/api/sessions/${live.id}`,
        headers: headers(live.token),
      });
      assert.equal(again.statusCode, 200);
      assert.equal(again.json<{ state: string }>().state, 'ready');
      assert.equal(again.json<Created>().expiresAt, live.expiresAt, 'the extension survived');
      const wrong = await second.app.inject({
        url: `/api/sessions/${live.id}`,
        headers: headers('not-the-token'),
      });
      assert.equal(wrong.statusCode, 404, 'only the token opens an adopted session');

      const gone = await second.app.inject({
        url: `/api/sessions/${stopped.id}`,
        headers: headers(stopped.token),
      });
      assert.equal(gone.statusCode, 200, 'a session that ended before the restart is still known');
      assert.equal(gone.json<{ endReason: string }>().endReason, 'stopped');
      const types = (await store.events({ sessionId: live.id })).map((e) => e.type);
      assert.deepEqual(types.slice(-1), ['adopted']);
    } finally {
      await second.close();
    }
  });

  it('ends a live session whose sandbox is gone after a restart, and removes containers no session uses', async () => {
    const provider = new FakeProvider();
    const env = { DRYDOCK_OWNER: owner() };
    const first = await start(env, provider);
    let session: Created;
    try {
      session = await createReady(first.app);
    } finally {
      await first.close();
    }
    // The engine lost the sandbox while the server was down; a stray container of
    // this owner (a sandbox whose setup never finished) is there instead.
    provider.live.clear();
    provider.live.add('fake-stray');

    const second = await start(env, provider);
    try {
      const state = await second.app.inject({
        url: `/api/sessions/${session.id}`,
        headers: headers(session.token),
      });
      assert.equal(state.json<{ state: string }>().state, 'ended');
      assert.equal(state.json<{ endReason: string }>().endReason, 'engine');
      assert.deepEqual([...provider.live], [], 'the stray container was removed');
      assert.equal((await store.session(session.id))?.endReason, 'engine');
    } finally {
      await second.close();
    }
  });
});

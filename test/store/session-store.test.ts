/**
 * The session store against both of its databases, for real: an SQLite file and
 * Debian's PostgreSQL (test/support/store-backends.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DatabaseUrlError, databaseTarget } from '../../lab-server/store/dialect.ts';
import {
  type SessionRecord,
  SessionStore,
  StoreError,
} from '../../lab-server/store/session-store.ts';
import { postgresBackend, sqliteBackend } from '../support/store-backends.ts';

const ADMIN_URL = process.env.DRYDOCK_TEST_DATABASE_URL;

const session = (id: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  owner: 'store-test',
  lab: 'named-volume-masks-image',
  tokenHash: 'a'.repeat(64),
  seed: 'c0ffee',
  learner: null,
  state: 'starting',
  message: 'Starting the sandbox…',
  endReason: null,
  // Beyond 2^31: a bigint column must come back as this very number.
  createdAt: 1_764_000_000_000,
  expiresAt: 1_764_000_000_000 + 3_600_000,
  endedAt: null,
  extensions: 0,
  ...extra,
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`session store on ${backend.name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await SessionStore.open(await backend.fresh());
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('brings a fresh database up to date, and a second open applies nothing again', async () => {
      assert.deepEqual(await store.appliedMigrations(), [
        '0001-sessions',
        '0002-accounts',
        '0003-classes',
        '0004-oidc',
        '0006-webhook-outbox',
        '0007-class-staff',
        '0008-solutions-shown',
        '0009-user-groups',
      ]);
      const target = await backend.fresh();
      // Two servers starting at once against one database: the migration lock lets one apply.
      const [a, b] = await Promise.all([SessionStore.open(target), SessionStore.open(target)]);
      assert.deepEqual(await a.appliedMigrations(), [
        '0001-sessions',
        '0002-accounts',
        '0003-classes',
        '0004-oidc',
        '0006-webhook-outbox',
        '0007-class-staff',
        '0008-solutions-shown',
        '0009-user-groups',
      ]);
      await Promise.all([a.close(), b.close()]);
      const again = await SessionStore.open(target);
      assert.deepEqual(await again.appliedMigrations(), [
        '0001-sessions',
        '0002-accounts',
        '0003-classes',
        '0004-oidc',
        '0006-webhook-outbox',
        '0007-class-staff',
        '0008-solutions-shown',
        '0009-user-groups',
      ]);
      await again.close();
    });

    it('keeps a session and its changes, times and counts as the numbers they were', async () => {
      await store.createSession(session('s_round_trip1'));
      await store.updateSession('s_round_trip1', {
        state: 'ready',
        message: 'Ready',
        extensions: 1,
        expiresAt: 1_764_000_000_000 + 5_400_000,
      });
      const read = await store.session('s_round_trip1');
      assert.deepEqual(
        read,
        session('s_round_trip1', {
          state: 'ready',
          message: 'Ready',
          extensions: 1,
          expiresAt: 1_764_000_000_000 + 5_400_000,
        }),
      );
      assert.equal(typeof read?.createdAt, 'number');
      assert.equal(await store.session('s_nonexistent'), undefined);
    });

    it('lists an owner’s live sessions, not ended ones nor another owner’s', async () => {
      await store.createSession(session('s_live_one_01', { owner: 'lister', state: 'ready' }));
      await store.createSession(
        session('s_ended_one_1', { owner: 'lister', state: 'ended', endReason: 'idle' }),
      );
      await store.createSession(session('s_others_one1', { owner: 'someone-else' }));
      assert.deepEqual(
        (await store.sessions('lister', { live: true })).map((s) => s.id),
        ['s_live_one_01'],
      );
      assert.deepEqual((await store.sessions('lister')).map((s) => s.id).sort(), [
        's_ended_one_1',
        's_live_one_01',
      ]);
    });

    it('gives each of many simultaneous claims its own warm sandbox, and none more than exist', async () => {
      for (const id of ['w1', 'w2', 'w3'])
        await store.addSandbox({
          id: `claim-${id}`,
          owner: 'claims',
          lab: 'lab-a',
          state: 'warm',
          createdAt: 1,
        });
      await store.addSandbox({
        id: 'claim-other-lab',
        owner: 'claims',
        lab: 'lab-b',
        state: 'warm',
        createdAt: 1,
      });
      const ids = Array.from({ length: 8 }, (_, i) => `s_claimant_0${i}`);
      for (const id of ids) await store.createSession(session(id, { owner: 'claims' }));
      const claimed = await Promise.all(ids.map((id) => store.claimWarm('claims', 'lab-a', id, 2)));
      const got = claimed.filter((c) => c !== undefined);
      assert.equal(got.length, 3, 'three warm sandboxes, three claims served');
      assert.deepEqual(got.map((c) => c.id).sort(), ['claim-w1', 'claim-w2', 'claim-w3']);
      for (const sandbox of got) {
        assert.equal(sandbox.state, 'claimed');
        assert.equal((await store.sandboxOf(sandbox.sessionId!))?.id, sandbox.id);
      }
      assert.equal((await store.sandbox('claim-other-lab'))?.state, 'warm', 'another lab’s pool');
    });

    it('refuses to bind a sandbox that already serves another session', async () => {
      await store.createSession(session('s_binder_0001'));
      await store.createSession(session('s_binder_0002'));
      await store.addSandbox({
        id: 'cold-1',
        owner: 'store-test',
        lab: 'lab-a',
        state: 'warming',
        createdAt: 5,
      });
      await store.bindSandbox('cold-1', 's_binder_0001', 6);
      await assert.rejects(
        store.bindSandbox('cold-1', 's_binder_0002', 7),
        (error: Error) =>
          error instanceof StoreError && /serves another session/.test(error.message),
      );
      assert.equal((await store.sandboxOf('s_binder_0001'))?.id, 'cold-1');
      assert.equal(await store.sandboxOf('s_binder_0002'), undefined);
    });

    it('keeps the latest verdict per task', async () => {
      await store.createSession(session('s_checker_001'));
      await store.recordChecks('s_checker_001', [
        { task: 'a', passed: false, message: 'not yet', checkedAt: 10 },
        { task: 'b', passed: false, message: 'nope', checkedAt: 10 },
      ]);
      await store.recordChecks('s_checker_001', [
        { task: 'a', passed: true, message: 'done', checkedAt: 20 },
      ]);
      assert.deepEqual(await store.checks('s_checker_001'), [
        { task: 'a', passed: true, message: 'done', checkedAt: 20 },
        { task: 'b', passed: false, message: 'nope', checkedAt: 10 },
      ]);
    });

    it('records a solution applied as shown with its check, keeps it shown through later checks, and keeps the first time', async () => {
      await store.createSession(session('s_skipper_001'));
      await store.recordChecks('s_skipper_001', [
        { task: 'a', passed: false, message: 'not yet', checkedAt: 10 },
        { task: 'b', passed: true, message: 'mine', checkedAt: 10 },
      ]);
      const afterSolve = [
        { task: 'a', passed: true, message: 'fixed', checkedAt: 20 },
        { task: 'b', passed: true, message: 'mine', checkedAt: 20 },
        { task: 'c', passed: true, message: 'fixed too', checkedAt: 20 },
      ];
      await store.recordSolution('s_skipper_001', ['a', 'c'], afterSolve, 20);
      assert.deepEqual(await store.checks('s_skipper_001'), [
        { task: 'a', passed: true, message: 'fixed', checkedAt: 20, shownAt: 20 },
        { task: 'b', passed: true, message: 'mine', checkedAt: 20 },
        { task: 'c', passed: true, message: 'fixed too', checkedAt: 20, shownAt: 20 },
      ]);
      // A later check that fails it, then the solution applied again: shown since the first time.
      await store.recordChecks('s_skipper_001', [
        { task: 'a', passed: false, message: 'broken again', checkedAt: 30 },
      ]);
      await store.recordSolution(
        's_skipper_001',
        ['a'],
        [{ task: 'a', passed: true, message: 'fixed', checkedAt: 40 }],
        40,
      );
      const [a] = await store.checks('s_skipper_001');
      assert.deepEqual(a, {
        task: 'a',
        passed: true,
        message: 'fixed',
        checkedAt: 40,
        shownAt: 20,
      });
    });

    it('records events in order, reads them after a point, and forgets them with their session', async () => {
      await store.createSession(
        session('s_eventful_01', { owner: 'events', state: 'ended', endedAt: 100 }),
      );
      const first = await store.appendEvent({
        sessionId: 's_eventful_01',
        type: 'created',
        at: 1,
        data: { lab: 'lab-a' },
      });
      await store.appendEvent({
        sessionId: 's_eventful_01',
        type: 'checked',
        at: 2,
        data: { passed: 1, failed: 2 },
      });
      await store.recordChecks('s_eventful_01', [
        { task: 'a', passed: true, message: 'ok', checkedAt: 2 },
      ]);
      const after = await store.events({ sessionId: 's_eventful_01', afterId: first });
      assert.deepEqual(
        after.map((e) => [e.type, e.data]),
        [['checked', { passed: 1, failed: 2 }]],
      );
      assert.equal(await store.forgetEnded('events', 50), 0, 'ended after the cut-off: kept');
      assert.equal(await store.forgetEnded('events', 101), 1);
      assert.deepEqual(await store.events({ sessionId: 's_eventful_01' }), []);
      assert.deepEqual(await store.checks('s_eventful_01'), []);
    });

    if (backend.name === 'PostgreSQL')
      it('carries on when PostgreSQL ends its connections (a restart, an operator)', async () => {
        await store.createSession(session('s_survivor_01'));
        const admin = new pg.Client({ connectionString: ADMIN_URL });
        await admin.connect();
        const { rowCount } = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'drydock_test_%' AND pid <> pg_backend_pid()",
        );
        await admin.end();
        assert.ok((rowCount ?? 0) > 0, 'the store had connections to end');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal((await store.session('s_survivor_01'))?.id, 's_survivor_01');
      });
  });
}

describe('session store configuration', () => {
  it('defaults to an SQLite file in the state dir', () => {
    assert.deepEqual(databaseTarget(undefined, '/var/lib/drydock'), {
      dialect: 'sqlite',
      path: '/var/lib/drydock/drydock.sqlite',
    });
  });

  it('refuses a URL it cannot use, without echoing its password', () => {
    assert.throws(
      () => databaseTarget('mysql://root:hunter2@db/drydock', '/x'),
      (error: Error) =>
        error instanceof DatabaseUrlError &&
        /must start with postgres:\/\//.test(error.message) &&
        !error.message.includes('hunter2'),
    );
  });

  it('says which database it could not reach, without the password', async () => {
    // Port 1 of loopback: nothing listens there, so the connection is refused at once.
    const target = databaseTarget('postgres://drydock:hunter2@127.0.0.1:1/drydock', '/x');
    await assert.rejects(
      SessionStore.open(target),
      (error: Error) =>
        error instanceof StoreError &&
        error.message.startsWith('PostgreSQL 127.0.0.1:1/drydock: ') &&
        !error.message.includes('hunter2'),
    );
  });
});

/**
 * Warm pools, through the API a learner and an operator use, with the in-memory
 * sandbox backend (its sandboxes are ready at once, so what is measured here is
 * the pool's bookkeeping; test/e2e/warm-start.test.ts starts a warm lab in a
 * real sandbox) and a real store: SQLite, or PostgreSQL in the postgres lane.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { FakeProvider, startFakePlatform } from '../support/fake-sandbox.ts';
import { openTestStore } from '../support/store.ts';

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

interface Started {
  id: string;
  token: string;
  state: string;
}

async function startLab(app: FastifyInstance, lab = 'tiny-lab'): Promise<Started> {
  const res = await app.inject({ method: 'POST', url: '/api/sessions', payload: { lab } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<Started>();
}

const warmOf = (app: FastifyInstance, lab = 'tiny-lab') =>
  app.pool.status().find((s) => s.lab === lab)?.warm ?? 0;

describe('warm pools', () => {
  let store: SessionStore;
  let closeStore: () => Promise<void>;
  before(async () => ({ store, close: closeStore } = await openTestStore()));
  after(() => closeStore());
  const owner = () => `warm-${randomBytes(4).toString('hex')}`;

  it('fills the configured pool, and a Start claims a warm sandbox: ready at once, with its seed, at a learner’s CPU share', async () => {
    const provider = new FakeProvider();
    const { app, close } = await startFakePlatform(
      { DRYDOCK_OWNER: owner(), DRYDOCK_WARM_POOLS: 'tiny-lab=2' },
      { store, provider },
    );
    try {
      await until('two warm sandboxes', () => warmOf(app) === 2);
      assert.equal(provider.background.size, 2, 'warm sandboxes wait at a background CPU weight');
      const started = await startLab(app);
      assert.equal(
        started.state,
        'ready',
        'a warm Start answers ready, with nothing left to wait for',
      );
      const session = app.sessions.get(started.id, started.token);
      await session.provisioned;
      const sandbox = session.sandbox!.id;
      assert.equal(
        provider.specs.get(sandbox)?.seed,
        session.seed,
        'the sandbox’s seed is the session’s',
      );
      assert.ok(
        provider.background.has(sandbox),
        'the CPU weight waits until a class’s burst of claims is over',
      );
      await until(
        'the claimed sandbox gets a learner’s CPU share, 5 s after its claim',
        () => !provider.background.has(sandbox),
      );
      assert.deepEqual(Object.keys(session.phases), ['claim']);
      assert.equal((await store.sandboxOf(started.id))?.id, sandbox, 'bound in the store at claim');
      await until('the pool refilled', () => warmOf(app) === 2);
    } finally {
      await close();
    }
  });

  it('never hands one warm sandbox to two learners starting at once', async () => {
    const provider = new FakeProvider();
    const { app, close } = await startFakePlatform(
      {
        DRYDOCK_OWNER: owner(),
        DRYDOCK_WARM_POOLS: 'tiny-lab=1',
        DRYDOCK_SESSIONS_PER_CLIENT: '10',
      },
      { store, provider },
    );
    try {
      await until('a warm sandbox', () => warmOf(app) === 1);
      const started = await Promise.all([startLab(app), startLab(app), startLab(app)]);
      const sessions = started.map((s) => app.sessions.get(s.id, s.token));
      await Promise.all(sessions.map((s) => s.provisioned));
      const sandboxes = sessions.map((s) => s.sandbox!.id);
      assert.equal(new Set(sandboxes).size, 3, 'three learners, three sandboxes');
      assert.equal(
        sessions.filter((s) => 'claim' in s.phases).length,
        1,
        'one learner got the warm sandbox; the others started cold',
      );
    } finally {
      await close();
    }
  });

  it('keeps warm sandboxes across a restart, and replaces them when the lab changed', async () => {
    const provider = new FakeProvider();
    const env = {
      DRYDOCK_OWNER: owner(),
      DRYDOCK_WARM_POOLS: 'tiny-lab=1',
      DRYDOCK_SHUTDOWN: 'keep',
    };
    const first = await startFakePlatform(env, { store, provider });
    await until('a warm sandbox', () => warmOf(first.app) === 1);
    const [kept] = [...provider.live];
    await first.close();
    assert.deepEqual(
      [...provider.live],
      [kept],
      'shutdown with keep left the warm sandbox running',
    );

    const second = await startFakePlatform(env, { store, provider });
    try {
      assert.equal(warmOf(second.app), 1, 'the restarted server took the warm sandbox back');
      const started = await startLab(second.app);
      const session = second.app.sessions.get(started.id, started.token);
      await session.provisioned;
      assert.equal(session.sandbox!.id, kept);
    } finally {
      await second.close();
    }

    const third = await startFakePlatform(env, { store, provider, setup: 'echo changed' });
    try {
      await until('a warm sandbox of the new version', () => warmOf(third.app) === 1);
      const versions = new Set(
        [...provider.live].map((id) => provider.specs.get(id)?.labVersion).filter(Boolean),
      );
      const warmNow = third.app.pool.containers();
      assert.equal(warmNow.length, 1);
      assert.notEqual(
        provider.specs.get(warmNow[0]!)?.labVersion,
        provider.specs.get(kept!)?.labVersion,
        'a warm sandbox of the old lab is never handed out',
      );
      assert.ok(versions.size >= 1);
    } finally {
      await third.close();
    }
  });

  it('reaches a reserved size for a class through the admin API, and says when it starts filling', async () => {
    const { app, close } = await startFakePlatform(
      { DRYDOCK_OWNER: owner(), DRYDOCK_ADMIN_TOKEN: 'a'.repeat(32), DRYDOCK_MAX_SANDBOXES: '20' },
      { store },
    );
    const auth = { authorization: `Bearer ${'a'.repeat(32)}` };
    try {
      const readyBy = new Date(Date.now() + 60_000).toISOString();
      const res = await app.inject({
        method: 'PUT',
        url: '/api/admin/pools/tiny-lab',
        headers: auth,
        payload: { size: 3, readyBy },
      });
      assert.equal(res.statusCode, 200, res.body);
      const status = res.json<{ reserved: { size: number; startsAt: string } }>();
      assert.equal(status.reserved.size, 3);
      assert.ok(Date.parse(status.reserved.startsAt) <= Date.parse(readyBy));
      await until('three warm sandboxes', () => warmOf(app) === 3);
      const list = await app.inject({ url: '/api/admin/pools', headers: auth });
      assert.deepEqual(
        list.json<{ pools: { lab: string; warm: number }[] }>().pools.map((p) => [p.lab, p.warm]),
        [['tiny-lab', 3]],
      );
      const unknown = await app.inject({
        method: 'PUT',
        url: '/api/admin/pools/no-such-lab',
        headers: auth,
        payload: { size: 1, readyBy },
      });
      assert.equal(unknown.statusCode, 404);
      const badTime = await app.inject({
        method: 'PUT',
        url: '/api/admin/pools/tiny-lab',
        headers: auth,
        payload: { size: 1, readyBy: 'tomorrow' },
      });
      assert.equal(badTime.statusCode, 400);
      const tooMany = await app.inject({
        method: 'PUT',
        url: '/api/admin/pools/tiny-lab',
        headers: auth,
        payload: { size: 21, readyBy },
      });
      assert.equal(tooMany.statusCode, 400, 'more than DRYDOCK_MAX_SANDBOXES is refused');
    } finally {
      await close();
    }
  });

  it('counts each Start against a reservation, and gives back what nobody claimed when it ends', async () => {
    const provider = new FakeProvider();
    const { app, close } = await startFakePlatform(
      { DRYDOCK_OWNER: owner(), DRYDOCK_MAX_SANDBOXES: '10' },
      { store, provider },
    );
    try {
      app.pool.reserve('tiny-lab', 3, new Date());
      await until('three warm sandboxes', () => warmOf(app) === 3);
      const started = await startLab(app);
      const session = app.sessions.get(started.id, started.token);
      await session.provisioned;
      await new Promise((r) => setTimeout(r, 3500)); // past the quiet time after a claim
      assert.equal(warmOf(app), 2, 'a claimed sandbox is not replaced: its learner has one');
      assert.equal(app.pool.status()[0]?.target, 2);

      app.pool.reserve('tiny-lab', 0, new Date());
      assert.equal(warmOf(app), 0, 'the unclaimed sandboxes left the pool at once');
      await until('the unclaimed sandboxes removed', () => provider.live.size === 1);
      assert.deepEqual([...provider.live], [session.sandbox!.id], 'the claimed one runs on');
      assert.equal(session.live, true);
    } finally {
      await close();
    }
  });

  it('gives up a warm sandbox of another lab when a learner’s cold start needs the room', async () => {
    const provider = new FakeProvider();
    const { app, close } = await startFakePlatform(
      {
        DRYDOCK_OWNER: owner(),
        DRYDOCK_WARM_POOLS: 'other-lab=2',
        DRYDOCK_MAX_SANDBOXES: '3',
      },
      { store, provider, otherLab: true },
    );
    try {
      // The pool stops one short of the host's room: the first learner finds a place.
      await until('two warm sandboxes', () => warmOf(app, 'other-lab') === 2);
      const first = await startLab(app, 'tiny-lab');
      await app.sessions.get(first.id, first.token).provisioned;
      assert.equal(warmOf(app, 'other-lab'), 2);
      // The host is full now (one learner, two warm): the next start takes a warm one's room.
      const second = await startLab(app, 'tiny-lab');
      await app.sessions.get(second.id, second.token).provisioned;
      assert.equal(warmOf(app, 'other-lab'), 1, 'one warm sandbox of the other lab was given up');
      assert.equal(app.sessions.liveCount, 2);
      await until('the given-up sandbox removed', () => provider.live.size === 3);
    } finally {
      await close();
    }
  });

  it('refuses DRYDOCK_WARM_POOLS naming a lab that does not exist, at boot', async () => {
    await assert.rejects(
      startFakePlatform({ DRYDOCK_OWNER: owner(), DRYDOCK_WARM_POOLS: 'nope=1' }, { store }),
      /DRYDOCK_WARM_POOLS: no lab is called "nope"/,
    );
  });
});

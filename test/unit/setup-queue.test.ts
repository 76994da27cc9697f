/**
 * A burst of cold Starts waits in line for setup slots, each learner told their
 * place as the line moves; a learner who leaves the line frees their place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SetupQueue } from '../../lab-server/sessions/setup-queue.ts';
import { FakeProvider, startFakePlatform } from '../support/fake-sandbox.ts';

describe('the setup queue', () => {
  it('runs as many setups as it has slots, in order, and tells the others their place', async () => {
    const queue = new SetupQueue(2);
    const places: Record<string, number[]> = { c: [], d: [] };
    const started: string[] = [];
    const enter = (name: string) =>
      queue
        .enter(
          (ahead) => places[name]?.push(ahead),
          () => false,
        )
        .then((release) => {
          started.push(name);
          return release;
        });
    const a = enter('a');
    const b = enter('b');
    const c = enter('c');
    const d = enter('d');
    const releaseA = await a;
    await b;
    assert.deepEqual(started, ['a', 'b']);
    assert.equal(queue.length, 2);
    releaseA();
    const releaseC = await c;
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.deepEqual(places.c, [0]);
    assert.deepEqual(places.d, [1, 0], 'd moved up when c got its slot');
    releaseC();
    await d;
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  });

  it('drops a learner who left the line (their session ended) when the line moves', async () => {
    const queue = new SetupQueue(1);
    const release = await queue.enter(
      () => {},
      () => false,
    );
    let gone = false;
    const ahead: number[] = [];
    void queue.enter(
      () => {},
      () => gone,
    );
    const last = queue.enter(
      (n) => ahead.push(n),
      () => false,
    );
    gone = true;
    release();
    await last;
    assert.deepEqual(ahead, [1], 'the one who left never held the slot');
  });

  it('tells a learner over the API where they are in line while others’ sandboxes are set up', async () => {
    const provider = new FakeProvider();
    let open!: () => void;
    provider.gate = new Promise((resolve) => (open = resolve));
    const { app, close } = await startFakePlatform(
      { DRYDOCK_SETUP_CONCURRENCY: '1', DRYDOCK_SESSIONS_PER_CLIENT: '5', DRYDOCK_WARM_MAX: '0' },
      { provider },
    );
    try {
      const start = async () =>
        (
          await app.inject({ method: 'POST', url: '/api/sessions', payload: { lab: 'tiny-lab' } })
        ).json<{
          id: string;
          token: string;
        }>();
      const first = await start();
      const second = await start();
      const third = await start();
      const message = (s: { id: string; token: string }) => app.sessions.get(s.id, s.token).message;
      assert.match(message(second), /next in line/);
      assert.match(message(third), /1 ahead of yours/);
      open();
      await Promise.all(
        [first, second, third].map((s) => app.sessions.get(s.id, s.token).provisioned),
      );
      assert.ok(
        [first, second, third].every((s) => app.sessions.get(s.id, s.token).state === 'ready'),
      );
    } finally {
      await close();
    }
  });
});

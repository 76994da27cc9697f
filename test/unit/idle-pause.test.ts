/**
 * Idle sandboxes pause, with the in-memory sandbox (which, like a real one,
 * resumes before anything enters it): a ready sandbox nobody used for
 * DRYDOCK_PAUSE_IDLE_AFTER is paused; the learner's next API call resumes it and
 * starts the quiet period again; one busy with CPU (a build left running) is not
 * paused; a check holds the pause off; 0 turns pausing off; and warm sandboxes
 * are left running (a class's claims would thaw them all at once). Against a
 * real engine: test/engine/idle-pause.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { CreatedSession } from '../../protocol/session.ts';
import { type FakePlatform, startFakePlatform, startTinyLab } from '../support/fake-sandbox.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

const sandboxOf = (app: FastifyInstance, s: CreatedSession) =>
  app.sessions.get(s.id, s.token).sandbox!;

const look = (app: FastifyInstance, s: CreatedSession) =>
  app.inject({
    method: 'GET',
    url: `/api/sessions/${s.id}`,
    headers: { authorization: `Bearer ${s.token}` },
  });

async function pausedGauge(app: FastifyInstance): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  return Number(/^drydock_sandboxes_paused (\d+)$/m.exec(res.body)?.[1]);
}

describe('idle sandboxes pause until their learner is back', () => {
  let platform: FakePlatform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it('pauses a quiet sandbox, and the learner’s next call resumes it', async () => {
    platform = await startFakePlatform({ DRYDOCK_PAUSE_IDLE_AFTER: '400ms' });
    const { app } = platform;
    const session = await startTinyLab(app);
    const sandbox = sandboxOf(app, session);
    assert.equal(sandbox.paused, false, 'a new sandbox runs');
    await until('the quiet sandbox is paused', () => sandbox.paused);
    assert.equal(await pausedGauge(app), 1);

    const pausedAt = Date.now();
    assert.equal((await look(app, session)).statusCode, 200);
    await until('the sandbox resumes', () => !sandbox.paused, 1000);
    // A full quiet period again before the next pause, not at the next tick.
    await until('it pauses again', () => sandbox.paused);
    assert.ok(Date.now() - pausedAt >= 400, 'paused again only after another quiet period');
  });

  it('keeps a sandbox that is busy with CPU running', async () => {
    platform = await startFakePlatform({ DRYDOCK_PAUSE_IDLE_AFTER: '300ms' });
    const { app, provider } = platform;
    const session = await startTinyLab(app);
    const sandbox = sandboxOf(app, session);
    // Half a core, like a build the learner left running.
    const started = Date.now();
    const busy = setInterval(() => provider.cpu.set(sandbox.id, (Date.now() - started) / 2000), 20);
    try {
      await sleep(2000);
      assert.equal(sandbox.paused, false, 'a busy sandbox is not paused');
    } finally {
      clearInterval(busy);
    }
    // The build is over: the sandbox is quiet now, and it pauses.
    await until('the now quiet sandbox is paused', () => sandbox.paused);
  });

  it('does not pause a sandbox while a check runs in it', async () => {
    platform = await startFakePlatform({ DRYDOCK_PAUSE_IDLE_AFTER: '300ms' });
    const { app, provider } = platform;
    const session = await startTinyLab(app);
    const sandbox = sandboxOf(app, session);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    provider.onExec = async (cmd) => {
      if (cmd.some((part) => part.includes('web-runs'))) await held;
      return undefined;
    };
    const check = app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/check`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    await sleep(1500);
    assert.equal(sandbox.paused, false, 'paused in the middle of a check');
    release();
    assert.equal((await check).statusCode, 200);
  });

  it('never pauses with DRYDOCK_PAUSE_IDLE_AFTER=0', async () => {
    platform = await startFakePlatform({ DRYDOCK_PAUSE_IDLE_AFTER: '0' });
    const { app } = platform;
    const session = await startTinyLab(app);
    await sleep(1500);
    assert.equal(sandboxOf(app, session).paused, false);
    assert.equal(await pausedGauge(app), 0);
  });

  it('leaves warm sandboxes running: a class claiming them at once thaws nothing', async () => {
    platform = await startFakePlatform({
      DRYDOCK_PAUSE_IDLE_AFTER: '300ms',
      DRYDOCK_WARM_POOLS: 'tiny-lab=1',
    });
    const { app, provider } = platform;
    await until('a warm sandbox is ready', () => app.pool.size === 1);
    await sleep(1500);
    assert.equal(provider.paused.size, 0, 'a warm sandbox was paused');
    // Claimed, it is a learner's like any other.
    const session = await startTinyLab(app);
    assert.equal(app.sessions.get(session.id, session.token).warm, true, 'the start was a claim');
    await until(
      'the claimed sandbox pauses once its learner is away',
      () => sandboxOf(app, session).paused,
    );
  });
});

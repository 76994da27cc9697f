/**
 * The authors' figures over HTTP (GET /api/labs/stats, /api/labs/:slug/stats),
 * against the real app and store (SQLite here, PostgreSQL in the lane that sets
 * DRYDOCK_TEST_STORE_URL) with in-memory sandboxes. Sessions are started through
 * the API; their check verdicts are recorded as the session manager records
 * them, since the in-memory sandbox's checks always pass. Refusals: not signed
 * in, an assistant, an unknown lab, a period out of range.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { LabStats, LabStatsIndex } from '../../protocol/lab-stats.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const PASSWORD = 'a long enough passphrase';
let addresses = 0;
const freshIp = () => `10.11.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

describe('a lab’s figures over HTTP', () => {
  let platform: FakePlatform;
  let app: FastifyInstance;
  const cookies: Record<string, string> = {};

  const signIn = async (role: 'instructor' | 'assistant' | 'admin') => {
    const username = `${role}-${randomBytes(3).toString('hex')}`;
    await app.accounts.users.add({ username, role, displayName: username, password: PASSWORD });
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: freshIp(),
      payload: { username, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  const start = async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      remoteAddress: freshIp(),
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const session = res.json<{ id: string; token: string }>();
    for (let i = 0; i < 100; i++) {
      const state = await app.inject({
        url: `/api/sessions/${session.id}`,
        headers: { authorization: `Bearer ${session.token}` },
      });
      if (state.json().state === 'ready') return session;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the session never became ready');
  };
  const verdict = (sessionId: string, at: number, passed: boolean, message: string) =>
    app.store.appendEvent({
      sessionId,
      type: 'checked',
      at,
      data: { results: [{ task: 'web-runs', passed, message }] },
    });
  const get = (url: string, cookie?: string) =>
    app.inject({ url, headers: cookie ? { cookie } : {} });

  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_SESSIONS_PER_CLIENT: '10' });
    app = platform.app;
    cookies.instructor = await signIn('instructor');
    cookies.assistant = await signIn('assistant');
    cookies.admin = await signIn('admin');

    // Three learners: one fails twice and then passes, one fails and leaves, one is still on it.
    const now = Date.now();
    const [a, b] = [await start(), await start()];
    await start();
    await verdict(a.id, now + 1000, false, 'No container named web runs (0 containers).\nmore');
    await verdict(a.id, now + 2000, false, 'No container named web runs (1 containers).');
    await verdict(a.id, now + 5000, true, 'web runs');
    await verdict(b.id, now + 1500, false, 'No container named web runs (2 containers).');
    const ended = await app.inject({
      method: 'DELETE',
      url: `/api/sessions/${b.id}`,
      headers: { authorization: `Bearer ${b.token}` },
    });
    assert.equal(ended.statusCode < 300, true, ended.body);
  });
  after(() => platform?.close());

  it('gives an instructor one lab’s figures, task by task, naming nobody', async () => {
    const res = await get('/api/labs/tiny-lab/stats', cookies.instructor);
    assert.equal(res.statusCode, 200, res.body);
    const figures = res.json<LabStats>();
    assert.equal(figures.title, 'A tiny lab');
    assert.equal(figures.started, 3);
    assert.equal(figures.ready, 3);
    assert.equal(figures.completed, 1);
    assert.equal(figures.live, 2);
    const [task] = figures.tasks;
    assert.equal(task!.id, 'web-runs');
    assert.equal(task!.reached, 3);
    assert.equal(task!.passed, 1);
    assert.equal(task!.failedChecks, 3);
    assert.equal(task!.stoppedHere, 1);
    // One group: the messages differ only in their numbers (and the first one's second line).
    assert.equal(task!.topFailures.length, 1);
    assert.match(
      task!.topFailures[0]!.message,
      /^No container named web runs \(\d containers\)\.$/,
    );
    assert.equal(task!.topFailures[0]!.count, 3);
    assert.equal(task!.topFailures[0]!.sessions, 2);
    assert.doesNotMatch(res.body, /learner:|"token"|"seed"/);
  });

  it('lists every lab’s starts and completions for an admin', async () => {
    const res = await get('/api/labs/stats?days=7', cookies.admin);
    assert.equal(res.statusCode, 200, res.body);
    const index = res.json<LabStatsIndex>();
    assert.deepEqual(
      index.labs.map((l) => [l.lab, l.started, l.completed]),
      [['tiny-lab', 3, 1]],
    );
    const span = Date.parse(index.until) - Date.parse(index.since);
    assert.equal(Math.round(span / 86_400_000), 7);
  });

  it('counts only sessions started within the period', async () => {
    const tenDaysAgo = Date.now() - 10 * 86_400_000;
    await app.store.createSession({
      id: `old-${randomBytes(4).toString('hex')}`,
      owner: app.config.owner,
      lab: 'tiny-lab',
      tokenHash: 'not a token',
      seed: 'seed',
      learner: null,
      state: 'ended',
      message: 'Ended.',
      endReason: 'expired',
      createdAt: tenDaysAgo,
      expiresAt: tenDaysAgo + 3_600_000,
      endedAt: tenDaysAgo + 3_600_000,
      extensions: 0,
    });
    const week = await get('/api/labs/tiny-lab/stats?days=7', cookies.instructor);
    assert.equal(week.json<LabStats>().started, 3);
    const month = await get('/api/labs/tiny-lab/stats?days=30', cookies.instructor);
    assert.equal(month.json<LabStats>().started, 4);
  });

  it('refuses anyone not signed in with 401', async () => {
    for (const url of ['/api/labs/stats', '/api/labs/tiny-lab/stats']) {
      const res = await get(url);
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json().error.code, 'NOT_SIGNED_IN');
    }
  });

  it('refuses an assistant with 403 and the reason', async () => {
    const res = await get('/api/labs/tiny-lab/stats', cookies.assistant);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'ROLE_REQUIRED');
  });

  it('answers 404 for a lab that does not exist', async () => {
    const res = await get('/api/labs/no-such-lab/stats', cookies.instructor);
    assert.equal(res.statusCode, 404);
    assert.match(res.json().error.message, /No lab is called "no-such-lab"/);
  });

  for (const [days, reason] of [
    ['0', /days/],
    ['abc', /days/],
    ['-3', /days/],
    ['999', /days must be 1 to 365; it was 999/],
  ] as const) {
    it(`refuses ?days=${days} with 400 and a reason`, async () => {
      const res = await get(`/api/labs/tiny-lab/stats?days=${days}`, cookies.instructor);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, reason);
    });
  }
});

/**
 * /metrics after real API calls: what an operator's Prometheus would read
 * about sessions, checks, terminals, the waiting line and refusals, and who
 * may read it at all. Sandboxes are in-memory (test/support/fake-sandbox.ts);
 * test/engine/metrics.test.ts does the same against real sandboxes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { sample, scrape } from '../support/metrics-text.ts';

const platforms: FakePlatform[] = [];
async function platform(env: Record<string, string> = {}): Promise<FakePlatform> {
  const started = await startFakePlatform(env);
  platforms.push(started);
  return started;
}
after(async () => {
  for (const p of platforms) {
    for (const client of p.app.websocketServer.clients) client.terminate();
    await p.close();
  }
});

async function createSession(app: FastifyInstance, remoteAddress = '127.0.0.1') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    payload: { lab: 'tiny-lab' },
    remoteAddress,
  });
  return res;
}

describe('/metrics', () => {
  it('counts live checks apart from Check: runs by cause, their time, the verdicts they changed, budget waits', async () => {
    const { app } = await platform();
    const lab = 'tiny-lab';
    app.signals.emit('live-check', { lab, cause: 'engine', seconds: 1.5, changed: 1 });
    app.signals.emit('live-check', { lab, cause: 'terminal', seconds: 0.5, changed: 0 });
    app.signals.emit('live-check-deferred', { lab });
    app.signals.emit('session', {
      type: 'checked',
      live: true,
      results: [{ task: 'it-works', passed: true, message: '' }],
      sessionId: 's_x',
      lab,
      at: Date.now(),
    });
    const text = await scrape(app);
    assert.equal(sample(text, 'drydock_live_check_runs_total', { lab, cause: 'engine' }), 1);
    assert.equal(sample(text, 'drydock_live_check_runs_total', { lab, cause: 'terminal' }), 1);
    assert.equal(sample(text, 'drydock_live_check_seconds_total', { lab }), 2);
    assert.equal(sample(text, 'drydock_live_check_changes_total', { lab, result: 'passed' }), 1);
    assert.equal(sample(text, 'drydock_live_check_budget_waits_total', { lab }), 1);
    assert.equal(
      sample(text, 'drydock_checks_total', { lab, task: 'it-works', result: 'passed' }),
      undefined,
      'a live verdict is not a Check',
    );
    assert.equal(sample(text, 'drydock_live_checks_running'), 0);
    assert.equal(sample(text, 'drydock_live_checks_waiting', { reason: 'budget' }), 0);
  });

  it('counts a session started, its start time, a check by task and result, and its end by reason', async () => {
    const { app } = await platform();
    const before = await scrape(app);
    assert.equal(sample(before, 'drydock_sessions_started_total', { lab: 'tiny-lab' }), undefined);
    assert.equal(sample(before, 'drydock_sandboxes_live'), 0);

    const created = await createSession(app);
    assert.equal(created.statusCode, 201);
    const { id, token } = created.json<{ id: string; token: string }>();
    await app.sessions.get(id, token).provisioned;
    const auth = { authorization: `Bearer ${token}` };

    const live = await scrape(app);
    assert.equal(sample(live, 'drydock_sessions_started_total', { lab: 'tiny-lab' }), 1);
    assert.equal(sample(live, 'drydock_sandboxes_live'), 1);
    assert.equal(sample(live, 'drydock_sandboxes_starting'), 0);
    assert.equal(sample(live, 'drydock_session_start_seconds_count', { lab: 'tiny-lab' }), 1);
    assert.equal(
      sample(live, 'drydock_session_start_seconds_bucket', { lab: 'tiny-lab', le: '120' }),
      1,
    );
    assert.equal(
      sample(live, 'drydock_session_start_phase_seconds_count', {
        lab: 'tiny-lab',
        phase: 'setup',
      }),
      1,
    );

    const check = await app.inject({
      method: 'POST',
      url: `/api/sessions/${id}/check`,
      headers: auth,
    });
    assert.equal(check.statusCode, 200);
    const checked = await scrape(app);
    assert.equal(
      sample(checked, 'drydock_checks_total', {
        lab: 'tiny-lab',
        task: 'web-runs',
        result: 'passed',
      }),
      1,
    );

    const ended = await app.inject({ method: 'DELETE', url: `/api/sessions/${id}`, headers: auth });
    assert.equal(ended.statusCode, 204);
    const after = await scrape(app);
    assert.equal(
      sample(after, 'drydock_sessions_ended_total', { lab: 'tiny-lab', reason: 'stopped' }),
      1,
    );
    assert.equal(sample(after, 'drydock_sandboxes_live'), 0);
  });

  it('counts the terminals open while a WebSocket is attached', async () => {
    const { app } = await platform();
    const created = await createSession(app);
    const { id, token } = created.json<{ id: string; token: string }>();
    await app.sessions.get(id, token).provisioned;
    let ready!: () => void;
    const opened = new Promise<void>((resolve) => (ready = resolve));
    const ws = await app.injectWS(
      `/api/sessions/${id}/terminal?token=${token}`,
      {},
      {
        onInit: (socket) =>
          socket.on('message', (data: Buffer, isBinary: boolean) => {
            if (!isBinary && (JSON.parse(data.toString()) as { type: string }).type === 'ready')
              ready();
          }),
      },
    );
    await opened;
    assert.equal(sample(await scrape(app), 'drydock_terminals_open'), 1);
    ws.terminate();
    while (sample(await scrape(app), 'drydock_terminals_open') !== 0)
      await new Promise((r) => setTimeout(r, 20));
  });

  it('counts learners waiting in line and each refusal by its cause', async () => {
    const { app } = await platform({
      DRYDOCK_MAX_SANDBOXES: '1',
      DRYDOCK_SESSIONS_PER_CLIENT: '1',
    });
    assert.equal((await createSession(app, '10.0.0.1')).statusCode, 201);
    // The same client again: over its own limit.
    assert.equal((await createSession(app, '10.0.0.1')).statusCode, 429);
    // Another client: the one sandbox is taken, so it gets a place in line.
    const waiting = await createSession(app, '10.0.0.2');
    assert.equal(waiting.statusCode, 503);
    const text = await scrape(app);
    assert.equal(sample(text, 'drydock_sandboxes_waiting'), 1);
    assert.equal(
      sample(text, 'drydock_admission_refusals_total', { cause: 'sessions-per-client' }),
      1,
    );
    assert.equal(sample(text, 'drydock_admission_refusals_total', { cause: 'waiting' }), 1);
  });

  it('counts refusals by the per-client API rate limit', async () => {
    const { app } = await platform({ DRYDOCK_API_RATE: '10' });
    const codes = [];
    for (let i = 0; i < 12; i++)
      codes.push((await app.inject({ url: '/api/labs', remoteAddress: '10.0.0.9' })).statusCode);
    assert.equal(codes.filter((c) => c === 429).length, 2);
    assert.equal(
      sample(await scrape(app), 'drydock_admission_refusals_total', { cause: 'api-rate' }),
      2,
    );
  });

  it('keeps each app’s metrics apart: a second app starts from zero', async () => {
    const first = await platform();
    await createSession(first.app);
    const second = await platform();
    assert.equal(
      sample(await scrape(first.app), 'drydock_sessions_started_total', { lab: 'tiny-lab' }),
      1,
    );
    assert.equal(
      sample(await scrape(second.app), 'drydock_sessions_started_total', { lab: 'tiny-lab' }),
      undefined,
    );
  });

  it('answers in Prometheus text format with the process’s own metrics too', async () => {
    const { app } = await platform();
    const res = await app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# HELP drydock_sessions_started_total /m);
    assert.match(res.body, /^# TYPE drydock_session_start_seconds histogram$/m);
    assert.ok(sample(res.body, 'process_resident_memory_bytes')! > 0);
  });
});

describe('who may read /metrics', () => {
  it('refuses a client on the network when no token is set', async () => {
    const { app } = await platform();
    const res = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.7' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'METRICS_REFUSED');
    assert.match(res.json().error.message, /DRYDOCK_METRICS_TOKEN/);
  });

  it('refuses a request a reverse proxy on this machine forwarded', async () => {
    const { app } = await platform();
    const res = await app.inject({
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.statusCode, 403);
    const forwarded = await app.inject({
      url: '/metrics',
      headers: { forwarded: 'for=203.0.113.7' },
    });
    assert.equal(forwarded.statusCode, 403);
  });

  it('with a token set, serves whoever presents it and refuses everyone else, this machine included', async () => {
    const token = 'a-long-enough-metrics-token';
    const { app } = await platform({ DRYDOCK_METRICS_TOKEN: token });
    const remote = { remoteAddress: '203.0.113.7' };
    const good = await app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
      ...remote,
    });
    assert.equal(good.statusCode, 200);
    assert.match(good.body, /drydock_sandboxes_live/);
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-some-length' }]) {
      const refused = await app.inject({ url: '/metrics', headers, ...remote });
      assert.equal(refused.statusCode, 403);
      assert.match(refused.json().error.message, /DRYDOCK_METRICS_TOKEN/);
    }
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 403);
  });
});

describe('DRYDOCK_METRICS_TOKEN', () => {
  it('refuses a token too short to keep a scraper’s secret, saying how to make one', () => {
    assert.throws(
      () => loadConfig({ DRYDOCK_METRICS_TOKEN: 'short' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /DRYDOCK_METRICS_TOKEN: .*16 characters.*openssl rand/.test(error.message),
    );
  });

  it('treats an empty value as unset', () => {
    assert.equal(loadConfig({ DRYDOCK_METRICS_TOKEN: '' }).metricsToken, undefined);
  });
});

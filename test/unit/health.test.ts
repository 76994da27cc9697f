/**
 * The probes an orchestrator or monitor uses: /healthz while the process
 * serves, /readyz only while labs can start (the real "no engine" condition
 * here: the ready state is shown against a real engine in
 * test/engine/metrics.test.ts), and neither is ever rate-limited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { NO_ENGINE } from '../support/fake-sandbox.ts';
import { ROOT } from '../support/platform.ts';

describe('health and readiness probes without an engine', () => {
  let app: FastifyInstance;

  before(async () => {
    app = await buildApp(
      loadConfig({
        DRYDOCK_ROOT: ROOT,
        DOCKER_HOST: NO_ENGINE,
        DRYDOCK_LOG_LEVEL: 'silent',
        // The lowest API limit the server accepts, so that hammering would surely cross it.
        DRYDOCK_API_RATE: '10',
      }),
    );
    await app.ready();
    await app.backend.whenSettled(10_000);
  });
  after(() => app.close());

  it('says the process is alive with 200 even though labs are unavailable', async () => {
    const res = await app.inject({ url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('says it is not ready with 503 and the reason labs are unavailable', async () => {
    const res = await app.inject({ url: '/readyz' });
    assert.equal(res.statusCode, 503);
    const body = res.json<{ ready: boolean; state: string; reason: string }>();
    assert.equal(body.ready, false);
    assert.equal(body.state, 'unavailable');
    assert.match(body.reason, /Docker engine/i);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('never answers a probe with 429, however often one client asks', async () => {
    const codes = new Set<number>();
    for (let i = 0; i < 60; i++) {
      for (const url of ['/healthz', '/readyz', '/metrics'])
        codes.add((await app.inject({ url, remoteAddress: '127.0.0.1' })).statusCode);
    }
    assert.deepEqual([...codes].sort(), [200, 503]);
    // The same client is limited on the API: the probes are outside that limit, not the limit absent.
    let limited = false;
    for (let i = 0; i < 11 && !limited; i++)
      limited = (await app.inject({ url: '/api/status' })).statusCode === 429;
    assert.ok(limited, 'the API should refuse the eleventh request in a minute');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

// No engine listens on this socket: the real "no Docker engine" condition, without stopping the machine's engine.
const NO_ENGINE = 'unix:///nonexistent/docker.sock';

describe('the HTTP API', () => {
  const root = tempRoot();
  let app: FastifyInstance;

  before(async () => {
    root.writeLab('tiny-lab', GOOD_MANIFEST);
    app = await buildApp(
      loadConfig({ DRYDOCK_ROOT: root.root, DOCKER_HOST: NO_ENGINE, DRYDOCK_OWNER: 'unit' }),
      { logger: false },
    );
    await app.ready();
    await app.backend.whenSettled(5000);
  });
  after(async () => {
    // injectWS's in-memory streams never finish a closing handshake: without this, ws waits out its 30 s close timeout.
    for (const client of app.websocketServer.clients) client.terminate();
    await app.close();
    root[Symbol.dispose]();
  });

  it('lists labs even without an engine', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/labs' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().map((l: { slug: string }) => l.slug),
      ['tiny-lab'],
    );
  });

  it('says plainly why labs are unavailable', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().labs.available, false);
    assert.match(res.json().labs.reason, /No Docker engine is reachable/);
  });

  it('answers 503 with the reason when a session is requested without an engine', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'LABS_UNAVAILABLE');
    assert.match(res.json().error.message, /No Docker engine/);
  });

  for (const [name, payload, reason] of [
    ['a body without a lab', {}, /body\.lab: required$/],
    [
      'a lab that is not a string',
      { lab: 42 },
      /body\.lab: Invalid input: expected string, received number/,
    ],
    ['an extra field', { lab: 'tiny-lab', admin: true }, /Unrecognized key: "admin"/],
    [
      'an overlong lab name',
      { lab: 'x'.repeat(500) },
      /body\.lab: Too big: expected string to have <=100 characters/,
    ],
  ] as const) {
    it(`rejects ${name} with 400 and a reason`, async () => {
      const res = await app.inject({ method: 'POST', url: '/api/sessions', payload });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, reason);
    });
  }

  it('rejects malformed JSON with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'content-type': 'application/json' },
      payload: '{"lab":',
    });
    assert.equal(res.statusCode, 400);
    assert.ok(res.json().error.message.length > 0);
  });

  it('rejects a body that is too large with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'a'.repeat(20_000) },
    });
    assert.equal(res.statusCode, 413);
  });

  it('answers 404 for an unknown lab', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/labs/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'LAB_NOT_FOUND');
  });

  it('rejects a malformed session id with 400', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/sessions/..%2F..%2Fetc' });
    assert.equal(res.statusCode, 400);
  });

  for (const origin of ['http://evil.example', 'null']) {
    it(`closes the terminal WebSocket for a page from another origin (${origin})`, async () => {
      const ws = await app.injectWS('/api/sessions/s_AAAAAAAAAAAA/terminal?token=x', {
        headers: { origin },
      });
      const code = await new Promise<number>((resolve) =>
        ws.on('close', (c: number) => resolve(c)),
      );
      assert.equal(code, 4403);
    });
  }

  it('answers unknown API routes with JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
  });
});

/**
 * The operator's admin API (/api/admin): every refusal (no token, a malformed
 * header, a wrong token, too many wrong tokens, from loopback and from the
 * network), the generated token file, and what an operator with the token can do.
 * Sandboxes are the in-memory fake: these tests are about the HTTP layer.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { clientAdminToken } from '../../lab-server/admin/token.ts';
import { WRONG_TOKENS_PER_MINUTE } from '../../lab-server/routes/admin.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const TOKEN = 'operator-secret-0123456789abcdef';

const admin = (
  app: FastifyInstance,
  request: {
    method?: 'GET' | 'POST' | 'DELETE';
    url: string;
    token?: string;
    ip?: string;
    payload?: object;
  },
) =>
  app.inject({
    method: request.method ?? 'GET',
    url: request.url,
    remoteAddress: request.ip ?? '127.0.0.1',
    headers: request.token === undefined ? {} : { authorization: request.token },
    ...(request.payload ? { payload: request.payload } : {}),
  });

let learners = 0;
/** A ready session of a learner of its own (per-client limits stay out of the way). */
async function startSession(
  app: FastifyInstance,
): Promise<{ id: string; token: string; ip: string }> {
  const ip = `10.1.1.${++learners}`;
  const res = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    remoteAddress: ip,
    payload: { lab: 'tiny-lab' },
  });
  assert.equal(res.statusCode, 201, res.body);
  await app.sessions.find(res.json<{ id: string }>().id)!.provisioned;
  return { ...res.json<{ id: string; token: string }>(), ip };
}

describe('the admin API', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_ADMIN_TOKEN: TOKEN, DRYDOCK_MAX_SANDBOXES: '50' });
  });
  after(() => platform.close());

  for (const [who, ip] of [
    ['loopback', '127.0.0.1'],
    ['the network', '203.0.113.7'],
  ] as const) {
    it(`refuses a request from ${who} without a token with 401 and says what is needed`, async () => {
      const res = await admin(platform.app, { url: '/api/admin/sessions', ip });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'ADMIN_UNAUTHORIZED');
      assert.match(res.json().error.message, /Authorization: Bearer <token>/);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    });

    it(`refuses a wrong token from ${who} with 401 and says the token is wrong`, async () => {
      const res = await admin(platform.app, {
        url: '/api/admin/sessions',
        ip,
        token: `Bearer ${TOKEN}x`,
      });
      assert.equal(res.statusCode, 401);
      assert.match(res.json().error.message, /token is wrong/);
    });
  }

  it('refuses a token sent without the Bearer scheme', async () => {
    const res = await admin(platform.app, { url: '/api/admin/sessions', token: TOKEN });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'ADMIN_UNAUTHORIZED');
  });

  it('refuses a learner’s session token', async () => {
    const session = await startSession(platform.app);
    const res = await admin(platform.app, {
      url: '/api/admin/sessions',
      token: `Bearer ${session.token}`,
    });
    assert.equal(res.statusCode, 401);
  });

  it('guards ending and extending as well as listing', async () => {
    const session = await startSession(platform.app);
    for (const [method, url] of [
      ['DELETE', `/api/admin/sessions/${session.id}`],
      ['POST', `/api/admin/sessions/${session.id}/extend`],
    ] as const) {
      const res = await admin(platform.app, { method, url, token: 'Bearer nope' });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
    }
    assert.equal(platform.app.sessions.find(session.id)!.state, 'ready');
  });

  it('answers 429 to a client after too many wrong tokens, even with the right one, and not to others', async () => {
    const ip = '198.51.100.9';
    for (let i = 0; i < WRONG_TOKENS_PER_MINUTE; i++) {
      const res = await admin(platform.app, {
        url: '/api/admin/sessions',
        ip,
        token: `Bearer guess-${i}`,
      });
      assert.equal(res.statusCode, 401);
    }
    const blocked = await admin(platform.app, {
      url: '/api/admin/sessions',
      ip,
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    const other = await admin(platform.app, {
      url: '/api/admin/sessions',
      ip: '198.51.100.10',
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(other.statusCode, 200);
  });

  it('is not counted against the learners’ per-client API limit', async () => {
    const ip = '192.0.2.50';
    const res = await platform.app.inject({ url: '/api/status', remoteAddress: ip });
    const limit = Number(res.headers['x-ratelimit-limit']);
    for (let i = 0; i < limit + 5; i++) {
      const listed = await admin(platform.app, {
        url: '/api/admin/sessions',
        ip,
        token: `Bearer ${TOKEN}`,
      });
      assert.equal(listed.statusCode, 200);
      assert.equal(listed.headers['x-ratelimit-limit'], undefined);
    }
    const learner = await platform.app.inject({ url: '/api/status', remoteAddress: ip });
    assert.equal(learner.statusCode, 200, 'the admin requests used up the learner limit');
  });

  it('lists sessions to the operator without their tokens', async () => {
    const session = await startSession(platform.app);
    const res = await admin(platform.app, {
      url: '/api/admin/sessions',
      ip: '203.0.113.8',
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(res.statusCode, 200);
    const listed = res.json().sessions.find((s: { id: string }) => s.id === session.id);
    assert.equal(listed.lab, 'tiny-lab');
    assert.equal(listed.state, 'ready');
    assert.ok(!res.body.includes(session.token), 'a session token appeared in the admin list');
  });

  it('extends a session by the minutes asked, beyond the learner’s own extensions', async () => {
    const session = await startSession(platform.app);
    const before = platform.app.sessions.find(session.id)!.expiresAt.getTime();
    const res = await admin(platform.app, {
      method: 'POST',
      url: `/api/admin/sessions/${session.id}/extend`,
      token: `Bearer ${TOKEN}`,
      payload: { minutes: 45 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(Date.parse(res.json().expiresAt) - before, 45 * 60_000);
    assert.equal(res.json().extensions, 0);
  });

  it('refuses an extension of a nonsensical length with 400', async () => {
    const session = await startSession(platform.app);
    const res = await admin(platform.app, {
      method: 'POST',
      url: `/api/admin/sessions/${session.id}/extend`,
      token: `Bearer ${TOKEN}`,
      payload: { minutes: 0 },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'BAD_REQUEST');
  });

  it('ends a session, and its learner learns that the operator ended it', async () => {
    const session = await startSession(platform.app);
    const res = await admin(platform.app, {
      method: 'DELETE',
      url: `/api/admin/sessions/${session.id}`,
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(res.statusCode, 204);
    const seen = await platform.app.inject({
      url: `/api/sessions/${session.id}`,
      remoteAddress: session.ip,
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(seen.json().state, 'ended');
    assert.equal(seen.json().endReason, 'operator');
    const again = await admin(platform.app, {
      method: 'DELETE',
      url: `/api/admin/sessions/${session.id}`,
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'SESSION_ENDED');
  });

  it('answers 404 for a session id nobody has', async () => {
    const res = await admin(platform.app, {
      method: 'DELETE',
      url: '/api/admin/sessions/s_AAAAAAAAAAAA',
      token: `Bearer ${TOKEN}`,
    });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'SESSION_NOT_FOUND');
  });
});

describe('the admin token without DRYDOCK_ADMIN_TOKEN', () => {
  it('is generated at first start into the state directory, readable only by its owner, and works', async () => {
    const platform = await startFakePlatform();
    try {
      const stateDir = platform.app.config.stateDir;
      const file = join(stateDir, 'admin-token');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const token = clientAdminToken(undefined, stateDir)!;
      assert.ok(token.length >= 40);
      const res = await admin(platform.app, {
        url: '/api/admin/sessions',
        token: `Bearer ${token}`,
      });
      assert.equal(res.statusCode, 200);
    } finally {
      await platform.close();
    }
  });
});

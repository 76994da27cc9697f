import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startFakePlatform } from '../support/fake-sandbox.ts';

const create = (
  app: FastifyInstance,
  ip: string,
  ticket?: string,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'POST',
    url: '/api/sessions',
    remoteAddress: ip,
    headers,
    payload: { lab: 'tiny-lab', ...(ticket ? { ticket } : {}) },
  });
const stop = (app: FastifyInstance, ip: string, session: { id: string; token: string }) =>
  app.inject({
    method: 'DELETE',
    url: `/api/sessions/${session.id}`,
    remoteAddress: ip,
    headers: { authorization: `Bearer ${session.token}` },
  });

const as = (learner: string) => ({ 'x-drydock-learner': `learner-${learner}`.padEnd(22, '0') });

describe('capacity and the waiting line, through the HTTP API', () => {
  it('answers FULL with a place in line, keeps places in order, and gives the freed sandbox to the first in line', async () => {
    const { app, close } = await startFakePlatform({ DRYDOCK_MAX_SANDBOXES: '1' });
    try {
      const a = await create(app, '10.0.0.1');
      assert.equal(a.statusCode, 201);

      const b = await create(app, '10.0.0.2');
      assert.equal(b.statusCode, 503);
      assert.equal(b.headers['retry-after'], '5');
      const bq = b.json().error;
      assert.equal(bq.code, 'FULL');
      assert.match(bq.message, /All sandboxes are busy — you are number 1 in line/);
      assert.equal(bq.queue.position, 1);
      assert.equal(bq.queue.ahead, 0);
      assert.match(bq.queue.ticket, /^q_/);

      const c = await create(app, '10.0.0.3');
      assert.equal(c.json().error.queue.position, 2);
      const cTicket = c.json().error.queue.ticket;

      assert.equal(
        (await create(app, '10.0.0.2', bq.queue.ticket)).json().error.queue.position,
        1,
        'asking again keeps the place',
      );
      assert.equal((await stop(app, '10.0.0.1', a.json())).statusCode, 204);

      // The freed sandbox is b's: c (second) and a newcomer must wait.
      assert.equal((await create(app, '10.0.0.3', cTicket)).json().error.queue.position, 2);
      assert.equal((await create(app, '10.0.0.4')).json().error.queue.position, 3);
      const bAgain = await create(app, '10.0.0.2', bq.queue.ticket);
      assert.equal(bAgain.statusCode, 201);
      assert.equal(bAgain.json().lab, 'tiny-lab');
      assert.equal(
        (await create(app, '10.0.0.3', cTicket)).json().error.queue.position,
        1,
        'c moved up',
      );
    } finally {
      await close();
    }
  });

  it('limits the sessions one client holds at once, with 429, Retry-After and a reason', async () => {
    const { app, close } = await startFakePlatform({ DRYDOCK_SESSIONS_PER_CLIENT: '2' });
    try {
      const first = await create(app, '10.0.0.1');
      assert.equal((await create(app, '10.0.0.1')).statusCode, 201);
      const third = await create(app, '10.0.0.1');
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().error.code, 'TOO_MANY_SESSIONS');
      assert.match(third.json().error.message, /already have 2 sandboxes/);
      assert.ok(Number(third.headers['retry-after']) > 0);
      assert.equal(
        (await create(app, '10.0.0.2')).statusCode,
        201,
        'another client is not affected',
      );
      await stop(app, '10.0.0.1', first.json());
      assert.equal((await create(app, '10.0.0.1')).statusCode, 201, 'stopping one frees a place');
    } finally {
      await close();
    }
  });

  it('counts a place in line toward the client’s sessions', async () => {
    const { app, close } = await startFakePlatform({
      DRYDOCK_MAX_SANDBOXES: '1',
      DRYDOCK_SESSIONS_PER_CLIENT: '2',
    });
    try {
      assert.equal((await create(app, '10.0.0.1')).statusCode, 201);
      assert.equal((await create(app, '10.0.0.1')).statusCode, 503);
      assert.equal((await create(app, '10.0.0.1')).json().error.code, 'TOO_MANY_SESSIONS');
    } finally {
      await close();
    }
  });

  it('limits how many sandboxes one client creates per minute', async () => {
    const { app, close } = await startFakePlatform({
      DRYDOCK_CREATE_RATE: '2',
      DRYDOCK_SESSIONS_PER_CLIENT: '10',
    });
    try {
      for (let i = 0; i < 2; i++)
        await stop(app, '10.0.0.1', (await create(app, '10.0.0.1')).json());
      const res = await create(app, '10.0.0.1');
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().error.code, 'RATE_LIMITED');
      assert.match(res.json().error.message, /You started 2 sandboxes within a minute/);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.equal(
        (await create(app, '10.0.0.2')).statusCode,
        201,
        'another client is not affected',
      );
    } finally {
      await close();
    }
  });

  it('counts sessions per learner, so a class behind one address each get their own', async () => {
    const { app, close } = await startFakePlatform({
      DRYDOCK_SESSIONS_PER_CLIENT: '2',
      DRYDOCK_MAX_SANDBOXES: '20',
    });
    try {
      for (const learner of ['ann', 'bob', 'cai', 'dee', 'eve'])
        for (let i = 0; i < 2; i++)
          assert.equal(
            (await create(app, '10.0.0.1', undefined, as(learner))).statusCode,
            201,
            `${learner}'s sandbox ${i + 1}`,
          );
      const third = await create(app, '10.0.0.1', undefined, as('ann'));
      assert.equal(third.statusCode, 429);
      assert.match(third.json().error.message, /You already have 2 sandboxes/);
      // A request without an identity (a script) is its address, as before.
      assert.equal((await create(app, '10.0.0.1')).statusCode, 201);
    } finally {
      await close();
    }
  });

  it('keeps a per-address ceiling on sessions, however many identities one address mints', async () => {
    const { app, close } = await startFakePlatform({
      DRYDOCK_SESSIONS_PER_CLIENT: '2',
      DRYDOCK_SESSIONS_PER_ADDRESS: '3',
    });
    try {
      for (const learner of ['ann', 'bob', 'cai'])
        assert.equal((await create(app, '10.0.0.1', undefined, as(learner))).statusCode, 201);
      const fourth = await create(app, '10.0.0.1', undefined, as('dee'));
      assert.equal(fourth.statusCode, 429);
      assert.equal(fourth.json().error.code, 'TOO_MANY_SESSIONS');
      assert.match(fourth.json().error.message, /3 sandboxes are running for your network address/);
      assert.equal(
        (await create(app, '10.0.0.2', undefined, as('dee'))).statusCode,
        201,
        'another address is not affected',
      );
    } finally {
      await close();
    }
  });

  it('refuses a malformed learner identity with 400 and the reason', async () => {
    const { app, close } = await startFakePlatform();
    try {
      for (const bad of ['short', 'x'.repeat(65), 'has spaces in it, sixteen+'])
        for (const res of [
          await create(app, '10.0.0.1', undefined, { 'x-drydock-learner': bad }),
          await app.inject({
            url: '/api/status',
            remoteAddress: '10.0.0.1',
            headers: { 'x-drydock-learner': bad },
          }),
        ]) {
          assert.equal(res.statusCode, 400, bad);
          assert.equal(res.json().error.code, 'BAD_REQUEST');
          assert.match(res.json().error.message, /x-drydock-learner header must be 16 to 64/);
        }
    } finally {
      await close();
    }
  });

  it('limits API requests per learner, and all learners of one address together', async () => {
    const { app, close } = await startFakePlatform({
      DRYDOCK_API_RATE: '10',
      DRYDOCK_API_RATE_PER_ADDRESS: '25',
    });
    const status = (learner: string) =>
      app.inject({ url: '/api/status', remoteAddress: '10.0.0.1', headers: as(learner) });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await status('ann')).statusCode, 200);
      const ann = await status('ann');
      assert.equal(ann.statusCode, 429);
      assert.match(ann.json().error.message, /Too many requests from you \(more than 10/);
      // The address counts every request from it, ann's refused one too: 11 + 10 + 4 = 25.
      for (let i = 0; i < 10; i++) assert.equal((await status('bob')).statusCode, 200);
      for (let i = 0; i < 4; i++) assert.equal((await status('cai')).statusCode, 200);
      const cai = await status('cai');
      assert.equal(cai.statusCode, 429);
      assert.match(cai.json().error.message, /from your network address \(more than 25/);
      assert.ok(Number(cai.headers['retry-after']) > 0);
    } finally {
      await close();
    }
  });

  it('limits sandboxes created per minute from one address, across learners', async () => {
    const { app, close } = await startFakePlatform({ DRYDOCK_CREATE_RATE_PER_ADDRESS: '3' });
    try {
      for (const learner of ['ann', 'bob', 'cai'])
        assert.equal((await create(app, '10.0.0.1', undefined, as(learner))).statusCode, 201);
      const res = await create(app, '10.0.0.1', undefined, as('dee'));
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().error.code, 'RATE_LIMITED');
      assert.match(res.json().error.message, /3 sandboxes were started from your network address/);
    } finally {
      await close();
    }
  });

  it('limits all API requests per client, including unknown routes', async () => {
    const { app, close } = await startFakePlatform({ DRYDOCK_API_RATE: '10' });
    try {
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await app.inject({ url: '/api/status', remoteAddress: '10.0.0.1' })).statusCode,
          200,
        );
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await app.inject({ url: '/api/nope', remoteAddress: '10.0.0.1' })).statusCode,
          404,
        );
      const res = await app.inject({ url: '/api/status', remoteAddress: '10.0.0.1' });
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().error.code, 'RATE_LIMITED');
      assert.match(res.json().error.message, /more than 10 a minute/);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.equal(
        (await app.inject({ url: '/api/nope', remoteAddress: '10.0.0.1' })).statusCode,
        429,
      );
      assert.equal(
        (await app.inject({ url: '/api/status', remoteAddress: '10.0.0.2' })).statusCode,
        200,
      );
    } finally {
      await close();
    }
  });

  it('takes the client from X-Forwarded-For only when told to trust the proxy', async () => {
    const env = { DRYDOCK_SESSIONS_PER_CLIENT: '1' };
    const direct = await startFakePlatform(env);
    try {
      assert.equal(
        (await create(direct.app, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.1' }))
          .statusCode,
        201,
      );
      assert.equal(
        (await create(direct.app, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.2' }))
          .statusCode,
        429,
      );
    } finally {
      await direct.close();
    }
    const proxied = await startFakePlatform({ ...env, DRYDOCK_TRUST_PROXY: '127.0.0.1' });
    try {
      assert.equal(
        (await create(proxied.app, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.1' }))
          .statusCode,
        201,
      );
      assert.equal(
        (await create(proxied.app, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.2' }))
          .statusCode,
        201,
      );
      assert.equal(
        (await create(proxied.app, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.2' }))
          .statusCode,
        429,
      );
    } finally {
      await proxied.close();
    }
  });
});

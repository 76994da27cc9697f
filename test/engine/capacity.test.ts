/** With every sandbox taken, a learner waits in line and gets the next one that frees up. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { assertNothingLeft, startPlatform } from '../support/platform.ts';
import { startFrom } from '../support/api.ts';

const LAB = 'named-volume-masks-image';

const create = (app: FastifyInstance, ip: string, ticket?: string) =>
  startFrom(app, LAB, ip, ticket);
const stop = (app: FastifyInstance, ip: string, s: { id: string; token: string }) =>
  app.inject({
    method: 'DELETE',
    url: `/api/sessions/${s.id}`,
    remoteAddress: ip,
    headers: { authorization: `Bearer ${s.token}` },
  });

describe('capacity', () => {
  it('puts a second learner in line when the only sandbox is taken, and gives it to them when the first stops', async () => {
    const platform = await startPlatform({ DRYDOCK_MAX_SANDBOXES: '1' });
    const { app } = platform;
    try {
      const first = await create(app, '192.0.2.1');
      assert.equal(first.statusCode, 201);
      const a = first.json<{ id: string; token: string }>();
      await platform.sessions.get(a.id, a.token).provisioned;
      assert.equal(platform.sessions.get(a.id, a.token).state, 'ready');

      const full = await create(app, '192.0.2.2');
      assert.equal(full.statusCode, 503);
      assert.ok(Number(full.headers['retry-after']) > 0);
      const { error } = full.json<{
        error: {
          code: string;
          message: string;
          queue: { position: number; ahead: number; ticket: string };
        };
      }>();
      assert.equal(error.code, 'FULL');
      assert.equal(error.queue.position, 1);
      assert.equal(error.queue.ahead, 0);
      assert.match(error.message, /you are number 1 in line/);
      assert.equal(
        (await create(app, '192.0.2.2', error.queue.ticket)).statusCode,
        503,
        'still full while the first learner works',
      );

      assert.equal((await stop(app, '192.0.2.1', a)).statusCode, 204);
      const second = await create(app, '192.0.2.2', error.queue.ticket);
      assert.equal(second.statusCode, 201);
      const b = second.json<{ id: string; token: string }>();
      await platform.sessions.get(b.id, b.token).provisioned;
      assert.equal(platform.sessions.get(b.id, b.token).state, 'ready');
      assert.equal((await stop(app, '192.0.2.2', b)).statusCode, 204);
    } finally {
      await platform.close();
    }
    await assertNothingLeft(platform.owner);
  });
});

/**
 * A session's terminals over HTTP and the terminal WebSocket, with the
 * in-memory sandbox: listing, opening up to the limit (refused beyond it with
 * the reason), closing (its sockets closed with 4411, never the first
 * terminal), and `?terminal=` validated. The same against real tmux:
 * test/engine/session-terminals.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  CLOSE_TERMINAL_CLOSED,
  CLOSE_TOO_MANY_TERMINALS,
  closeAction,
} from '../../protocol/close-codes.ts';
import type { CreatedSession } from '../../protocol/session.ts';
import { TerminalListSchema } from '../../protocol/terminals.ts';
import { type FakePlatform, startFakePlatform, startTinyLab } from '../support/fake-sandbox.ts';

function call(
  app: FastifyInstance,
  session: CreatedSession,
  method: 'GET' | 'POST' | 'DELETE',
  path = '',
) {
  return app.inject({
    method,
    url: `/api/sessions/${session.id}/terminals${path}`,
    headers: { authorization: `Bearer ${session.token}` },
  });
}

/** A terminal socket: resolves `ready` once the shell is attached, `closed` with its close frame. */
async function socket(app: FastifyInstance, session: CreatedSession, query = '') {
  let markClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (markClosed = r));
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const ws = await app.injectWS(
    `/api/sessions/${session.id}/terminal?token=${encodeURIComponent(session.token)}${query}`,
    {},
    {
      onInit: (ws) => {
        ws.on('close', (code: number, reason: Buffer) =>
          markClosed({ code, reason: reason.toString() }),
        );
        ws.on('message', (data: Buffer, binary: boolean) => {
          if (!binary && JSON.parse(data.toString()).type === 'ready') markReady();
        });
      },
    },
  );
  return { ws, ready, closed };
}

describe('a session has more than one terminal', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform({
      DRYDOCK_SESSIONS_PER_CLIENT: '100',
      DRYDOCK_TERMINALS_PER_SESSION: '3',
    });
  });
  after(async () => {
    for (const client of platform.app.websocketServer.clients) client.terminate();
    await platform.close();
  });

  it('lists the first terminal alone at first, and the limit', async () => {
    const session = await startTinyLab(platform.app);
    const res = await call(platform.app, session, 'GET');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(TerminalListSchema.parse(res.json()), {
      terminals: [{ number: 1, attached: 0 }],
      limit: 3,
    });
  });

  it('opens terminals 2 and 3, then refuses a fourth with 409 TOO_MANY_TERMINALS and the reason', async () => {
    const session = await startTinyLab(platform.app);
    const opened = await Promise.all([
      call(platform.app, session, 'POST'),
      call(platform.app, session, 'POST'),
    ]);
    assert.deepEqual(
      opened
        .map((r): [number, number] => [r.statusCode, r.json<{ number: number }>().number])
        .sort(),
      [
        [201, 2],
        [201, 3],
      ],
    );
    const refused = await call(platform.app, session, 'POST');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'TOO_MANY_TERMINALS');
    assert.match(refused.json().error.message, /already has 3 terminals open.*close one first/);
    const list = TerminalListSchema.parse((await call(platform.app, session, 'GET')).json());
    assert.deepEqual(
      list.terminals.map((t) => t.number),
      [1, 2, 3],
    );
  });

  it('shows each terminal in its own socket, counted per terminal, and refuses a socket beyond the limit', async () => {
    const session = await startTinyLab(platform.app);
    await call(platform.app, session, 'POST');
    const sockets = await Promise.all([
      socket(platform.app, session),
      socket(platform.app, session, '&terminal=2'),
      socket(platform.app, session, '&terminal=2'),
      socket(platform.app, session, '&terminal=2'),
    ]);
    await Promise.all(sockets.map((s) => s.ready));
    const list = TerminalListSchema.parse((await call(platform.app, session, 'GET')).json());
    assert.deepEqual(list.terminals, [
      { number: 1, attached: 1 },
      { number: 2, attached: 3 },
    ]);
    const fourth = await socket(platform.app, session, '&terminal=2');
    const { code, reason } = await fourth.closed;
    assert.equal(code, CLOSE_TOO_MANY_TERMINALS);
    assert.match(reason, /Terminal 2 of this session is already open in 3 pages; close one first/);
    for (const s of sockets) s.ws.terminate();
  });

  it('refuses a terminal that is not open (4411), a number beyond the limit (4429) and one that is no number (4411)', async () => {
    const session = await startTinyLab(platform.app);
    const notOpen = await (await socket(platform.app, session, '&terminal=2')).closed;
    assert.deepEqual(notOpen, { code: CLOSE_TERMINAL_CLOSED, reason: 'Terminal 2 is not open.' });
    assert.equal(closeAction(CLOSE_TERMINAL_CLOSED), 'end');
    const beyond = await (await socket(platform.app, session, '&terminal=4')).closed;
    assert.deepEqual(beyond, {
      code: CLOSE_TOO_MANY_TERMINALS,
      reason: 'This session may have at most 3 terminals.',
    });
    for (const bad of ['0', '02', 'two', '1.5', '-1', '21'])
      assert.equal(
        (await (await socket(platform.app, session, `&terminal=${bad}`)).closed).code,
        CLOSE_TERMINAL_CLOSED,
        bad,
      );
  });

  it('closes a terminal: its sockets close with 4411, its number is free again, and the first terminal stays', async () => {
    const session = await startTinyLab(platform.app);
    await call(platform.app, session, 'POST');
    const first = await socket(platform.app, session);
    const second = await socket(platform.app, session, '&terminal=2');
    await Promise.all([first.ready, second.ready]);

    const closed = await call(platform.app, session, 'DELETE', '/2');
    assert.equal(closed.statusCode, 204, closed.body);
    assert.deepEqual(await second.closed, {
      code: CLOSE_TERMINAL_CLOSED,
      reason: 'Terminal 2 was closed.',
    });
    assert.equal(first.ws.readyState, first.ws.OPEN, 'the first terminal is not touched');
    const list = TerminalListSchema.parse((await call(platform.app, session, 'GET')).json());
    assert.deepEqual(
      list.terminals.map((t) => t.number),
      [1],
    );

    const again = await call(platform.app, session, 'DELETE', '/2');
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().error.code, 'TERMINAL_NOT_FOUND');
    const kept = await call(platform.app, session, 'DELETE', '/1');
    assert.equal(kept.statusCode, 409);
    assert.equal(kept.json().error.code, 'TERMINAL_KEPT');
    assert.match(kept.json().error.message, /Terminal 1 stays open/);
    const malformed = await call(platform.app, session, 'DELETE', '/two');
    assert.equal(malformed.statusCode, 400);

    const reopened = await call(platform.app, session, 'POST');
    assert.equal(reopened.json().number, 2, 'the lowest free number');
    first.ws.terminate();
  });

  it('answers another session’s token like an unknown session (404), and 409 once the session ended', async () => {
    const session = await startTinyLab(platform.app);
    const other = await startTinyLab(platform.app);
    const wrong = await platform.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/terminals`,
      headers: { authorization: `Bearer ${other.token}` },
    });
    assert.equal(wrong.statusCode, 404);
    assert.equal(wrong.json().error.code, 'SESSION_NOT_FOUND');
    await platform.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    const ended = await call(platform.app, session, 'POST');
    assert.equal(ended.statusCode, 409);
    assert.equal(ended.json().error.code, 'SESSION_ENDED');
  });
});

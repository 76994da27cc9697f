/**
 * The wire contract (protocol/) holds on both sides. The server's answers and
 * terminal messages parse with the protocol's schemas, with nothing the browser
 * needs left out; the browser's API client reads the server's real answers and
 * refuses one off the protocol with a message that says what is wrong; a
 * malformed control message gets the treatment docs/api.md documents; the
 * server closes the terminal with the codes the protocol lists, and the
 * browser's client does with each code what the protocol and docs/api.md say.
 * Sandboxes are the in-memory fake.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, describe, it, mock } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type * as z from 'zod/mini';
import { ApiErrorBodySchema } from '../../protocol/api-error.ts';
import { CheckResponseSchema } from '../../protocol/check-results.ts';
import * as closeCodes from '../../protocol/close-codes.ts';
import { CLOSE_CODES, closeAction, type CloseAction } from '../../protocol/close-codes.ts';
import {
  ACK_BATCH_BYTES,
  HIGH_WATERMARK_BYTES,
  MAX_FRAME_BYTES,
} from '../../protocol/flow-control.ts';
import { LabListSchema, LabSummarySchema } from '../../protocol/labs.ts';
import {
  CreatedSessionSchema,
  OperatorSessionListSchema,
  OperatorSessionSchema,
  SessionSchema,
  type CreatedSession,
} from '../../protocol/session.ts';
import { LivenessSchema, ReadinessSchema, StatusResponseSchema } from '../../protocol/status.ts';
import { ServerMessageSchema, type ServerMessage } from '../../protocol/terminal-messages.ts';
import {
  ApiError,
  checkSession,
  createSession,
  deleteSession,
  extendSession,
  getSession,
  getStatus,
  UNREADABLE,
} from '../../site/scripts/lab-api.ts';
import type { LabTerminal } from '../../site/scripts/lab-terminal.ts';
import { SessionConnection } from '../../site/scripts/session-connection.ts';
import { inputFrames } from '../../site/scripts/terminal-socket.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { codeIn, tableAfter } from '../support/markdown.ts';
import { ROOT } from '../support/platform.ts';

const ADMIN_TOKEN = 'operator-secret-0123456789abcdef';

/** `res`'s body read with `schema`; the schema must keep all of it (no property it does not know). */
function read<T>(
  schema: z.ZodMiniType<T>,
  res: { statusCode: number; body: string },
  status = 200,
): T {
  assert.equal(res.statusCode, status, res.body);
  const body: unknown = JSON.parse(res.body);
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${res.body}\n${parsed.error?.message}`);
  assert.deepEqual(parsed.data, body, 'the answer holds properties the protocol does not know');
  return parsed.data;
}

async function newSession(app: FastifyInstance): Promise<CreatedSession> {
  const session = read(
    CreatedSessionSchema,
    await app.inject({ method: 'POST', url: '/api/sessions', payload: { lab: 'tiny-lab' } }),
    201,
  );
  await app.sessions.get(session.id, session.token).provisioned;
  return session;
}

/** The page's `fetch`, answered by the app in-process (the browser's API client uses relative URLs). */
function fetchFrom(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    assert.equal(typeof input, 'string', 'the page asks for a path');
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const request: InjectOptions = {
      method: init?.method ?? 'GET',
      url: input as string,
      headers,
    };
    if (typeof init?.body === 'string') request.payload = init.body;
    const res = await app.inject(request);
    return new Response(res.statusCode === 204 ? null : res.body, {
      status: res.statusCode,
      headers: res.headers as Record<string, string>,
    });
  };
}

/** docs/api.md's table of close codes: code → what a client does. */
const documented = new Map(
  tableAfter('docs/api.md', '### Terminal close codes').map((row) => [
    Number(codeIn(row[0])),
    codeIn(row[2]),
  ]),
);
/** The codes docs/api.md names as drops ("Any other close (`1005` …, `1006` …) is a drop"). */
const dropCodes = (() => {
  const api = readFileSync(`${ROOT}/docs/api.md`, 'utf8');
  const drops = api.slice(api.indexOf('Any other close'), api.indexOf('is a drop'));
  return [...drops.matchAll(/`(\d{4})`/g)].map((m) => Number(m[1]));
})();

describe('the API answers, read with the protocol', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform({
      DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN,
      DRYDOCK_SESSIONS_PER_CLIENT: '100',
    });
  });
  after(async () => {
    mock.restoreAll();
    await platform.close();
  });

  it('answers every learner route with its schema, and keeps what the browser needs', async () => {
    const { app } = platform;
    const created = await newSession(app);
    const live = app.sessions.get(created.id, created.token);
    assert.equal(created.token, live.token);
    assert.equal(created.canExtend, true);
    const tasks = app.labs.lab('tiny-lab')!.manifest.tasks.map(({ id, title }) => ({ id, title }));
    assert.deepEqual(created.tasks, tasks);

    const auth = { authorization: `Bearer ${created.token}` };
    const url = `/api/sessions/${created.id}`;
    const got = read(SessionSchema, await app.inject({ url, headers: auth }));
    assert.equal(got.state, 'ready');
    assert.ok(!('token' in got), 'only the 201 answer carries the token');

    const checked = read(
      CheckResponseSchema,
      await app.inject({ method: 'POST', url: `${url}/check`, headers: auth }),
    );
    assert.deepEqual(
      checked.results.map((r) => r.task),
      tasks.map((t) => t.id),
    );

    const extended = read(
      SessionSchema,
      await app.inject({ method: 'POST', url: `${url}/extend`, headers: auth }),
    );
    assert.equal(extended.extensions, 1);
    assert.equal(extended.canExtend, false);

    assert.deepEqual(
      read(LabListSchema, await app.inject({ url: '/api/labs' })).map((l) => l.slug),
      ['tiny-lab'],
    );
    read(LabSummarySchema, await app.inject({ url: '/api/labs/tiny-lab' }));
    read(LivenessSchema, await app.inject({ url: '/healthz' }));

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const listed = read(
      OperatorSessionListSchema,
      await app.inject({ url: '/api/admin/sessions', headers: admin }),
    );
    const mine = listed.sessions.find((s) => s.id === created.id);
    assert.equal(mine?.terminals, 0);
    assert.equal(mine?.container?.length, 12);
    read(
      OperatorSessionSchema,
      await app.inject({
        method: 'POST',
        url: `/api/admin/sessions/${created.id}/extend`,
        headers: admin,
        payload: { minutes: 5 },
      }),
    );
    // The CLI's `drydock sessions extend` without --minutes, and a script that sends no body at all.
    for (const payload of [{}, undefined])
      read(
        OperatorSessionSchema,
        await app.inject({
          method: 'POST',
          url: `/api/admin/sessions/${created.id}/extend`,
          headers: admin,
          ...(payload ? { payload } : {}),
        }),
      );

    const removed = await app.inject({ method: 'DELETE', url, headers: auth });
    assert.equal(removed.statusCode, 204);
    assert.equal(removed.body, '');
    const ended = read(SessionSchema, await app.inject({ url, headers: auth }));
    assert.equal(ended.state, 'ended');
    assert.equal(ended.endReason, 'stopped');
    assert.equal(ended.canExtend, undefined, 'canExtend only while the session lives');
    const wrong = { authorization: 'Bearer not-the-token' };
    const error = read(ApiErrorBodySchema, await app.inject({ url, headers: wrong }), 404);
    assert.equal(error.error.code, 'SESSION_NOT_FOUND');
  });

  it('says whether labs run, in both shapes, with nothing left out', async () => {
    const { app, backend } = platform;
    const kept = backend.status;
    try {
      backend.status = {
        available: false,
        state: 'unavailable',
        reason: 'The Docker engine does not answer.',
      };
      let status = read(StatusResponseSchema, await app.inject({ url: '/api/status' }));
      assert.deepEqual(status.labs, app.backend.status);
      assert.equal(status.labs.available, false);
      let ready = read(ReadinessSchema, await app.inject({ url: '/readyz' }), 503);
      assert.deepEqual(ready, {
        ready: false,
        state: 'unavailable',
        reason: 'The Docker engine does not answer.',
      });

      backend.status = {
        available: true,
        state: 'ready',
        unsupported: { 'tiny-lab': 'Its sandboxes cannot limit memory.' },
      };
      status = read(StatusResponseSchema, await app.inject({ url: '/api/status' }));
      assert.deepEqual(status.labs, app.backend.status);
      ready = read(ReadinessSchema, await app.inject({ url: '/readyz' }));
      assert.deepEqual(ready, { ready: true, state: 'ready' });
    } finally {
      backend.status = kept;
    }
  });

  it('answers with a 500 rather than send a status off the protocol', async () => {
    const { app, backend } = platform;
    const kept = backend.status;
    backend.status = { available: false, state: 'checking' }; // no reason for the page to show
    try {
      const res = await app.inject({ url: '/api/status' });
      assert.equal(read(ApiErrorBodySchema, res, 500).error.code, 'INTERNAL');
    } finally {
      backend.status = kept;
    }
  });

  it('is read by the browser’s API client as the server sends it', async () => {
    mock.method(globalThis, 'fetch', fetchFrom(platform.app));
    const status = await getStatus();
    assert.deepEqual(status, platform.app.backend.status);
    const session = await createSession('tiny-lab');
    await platform.app.sessions.get(session.id, session.token).provisioned;
    assert.equal((await getSession(session.id, session.token)).state, 'ready');
    assert.equal((await checkSession(session.id, session.token)).length, 1);
    assert.equal((await extendSession(session.id, session.token)).extensions, 1);
    await deleteSession(session.id, session.token);
    assert.equal((await getSession(session.id, session.token)).endReason, 'stopped');
    await assert.rejects(
      getSession(session.id, 'not-the-token'),
      (error: unknown) =>
        error instanceof ApiError && error.code === 'SESSION_NOT_FOUND' && error.status === 404,
    );
    mock.restoreAll();
  });

  it('is refused by the browser’s API client when off the protocol, saying what is wrong', async () => {
    const { app } = platform;
    const session = await newSession(app);
    const answer = (
      await app.inject({
        url: `/api/sessions/${session.id}`,
        headers: { authorization: `Bearer ${session.token}` },
      })
    ).json<Record<string, unknown>>();
    const logged = mock.method(console, 'error', () => {});
    for (const [drifted, where] of [
      [{ ...answer, expiresAt: undefined }, /expiresAt/],
      [{ ...answer, state: 'paused' }, /state/],
      [{ ...answer, tasks: [{ id: 'web-runs' }] }, /tasks\.0\.title/],
    ] as const) {
      mock.method(globalThis, 'fetch', async () => Response.json(drifted));
      await assert.rejects(getSession(session.id, session.token), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, UNREADABLE);
        assert.match(error.message, where);
        assert.match(error.message, /not what this page expects/);
        return true;
      });
    }
    assert.equal(
      logged.mock.callCount(),
      3,
      'each answer off the protocol is logged in the console',
    );
    mock.restoreAll();
  });
});

/** A terminal socket on `app` in-process, with its text frames and its close. */
async function terminal(app: FastifyInstance, id: string, token: string, headers = {}) {
  const messages: ServerMessage[] = [];
  const unreadable: string[] = [];
  let markClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (markClosed = r));
  const arrived: (() => void)[] = [];
  const ws = await app.injectWS(
    `/api/sessions/${id}/terminal?token=${encodeURIComponent(token)}`,
    { headers },
    {
      onInit: (socket) => {
        socket.on('close', (code: number, reason: Buffer) =>
          markClosed({ code, reason: reason.toString() }),
        );
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          if (isBinary) return;
          const parsed = ServerMessageSchema.safeParse(JSON.parse(data.toString('utf8')));
          if (parsed.success) messages.push(parsed.data);
          else unreadable.push(data.toString('utf8'));
          for (const wake of arrived.splice(0)) wake();
        });
      },
    },
  );
  const message = async (type: ServerMessage['type']) => {
    while (!messages.some((m) => m.type === type))
      await new Promise<void>((resolve) => arrived.push(resolve));
    return messages.find((m) => m.type === type)!;
  };
  return { ws, messages, unreadable, closed, message };
}

describe('terminal messages', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_SESSIONS_PER_CLIENT: '100' });
  });
  after(async () => {
    // injectWS's in-memory streams never finish a closing handshake: without this, ws waits out its 30 s close timeout.
    for (const client of platform.app.websocketServer.clients) client.terminate();
    await platform.close();
  });

  it('from the server parse with the protocol: ready, then ended and 4410 when the session ends', async () => {
    const { app } = platform;
    const session = await newSession(app);
    const socket = await terminal(app, session.id, session.token);
    await socket.message('ready');
    await app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.deepEqual(await socket.message('ended'), {
      type: 'ended',
      reason: 'stopped',
      message: 'The sandbox was stopped and removed.',
    });
    assert.equal((await socket.closed).code, closeCodes.CLOSE_SESSION_ENDED);
    assert.deepEqual(socket.unreadable, []);
  });

  it('from a client that are malformed are ignored, as documented: the socket stays open and nothing changes', async () => {
    const { app } = platform;
    const session = await newSession(app);
    const sandbox = app.sessions.get(session.id, session.token).sandbox!;
    const resized: [number, number][] = [];
    const openTerminal = sandbox.openTerminal.bind(sandbox);
    sandbox.openTerminal = async (options) => ({
      ...(await openTerminal(options)),
      resize: async (cols, rows) => void resized.push([cols, rows]),
    });
    const socket = await terminal(app, session.id, session.token);
    await socket.message('ready');
    for (const text of [
      '{"type":"resize","cols":0,"rows":24}',
      '{"type":"resize","cols":1001,"rows":24}',
      '{"type":"resize","cols":80,"rows":501}',
      '{"type":"resize","cols":80}',
      '{"type":"ack","bytes":-1}',
      `{"type":"ack","bytes":${2 ** 30 + 1}}`,
      '{"type":"exec","cmd":"id"}',
      '{"type":"takeover-answer"}',
      '{"type":"takeover-answer","accept":"yes"}',
      // Well formed, but a watcher's to send: from the learner's own socket it does nothing.
      '{"type":"takeover-request"}',
      '{"cols":80,"rows":24}',
      'not json',
    ])
      socket.ws.send(text);
    socket.ws.send('{"type":"resize","cols":1000,"rows":500}');
    const echoed = new Promise<void>((resolve) =>
      socket.ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary && data.toString().includes('still here')) resolve();
      }),
    );
    socket.ws.send(Buffer.from('still here'));
    await echoed;
    assert.deepEqual(resized, [[1000, 500]], 'only the well-formed resize reached the terminal');
    assert.equal(socket.ws.readyState, socket.ws.OPEN);
    socket.ws.close();
  });
});

describe('terminal close codes', () => {
  it('are listed in docs/api.md with what a client does, as closeAction says', () => {
    for (const code of CLOSE_CODES)
      assert.equal(documented.get(code), closeAction(code), `docs/api.md on ${code}`);
    assert.deepEqual([...documented.keys()].sort(), [...CLOSE_CODES].sort());
    const constants = Object.entries(closeCodes).filter(([name]) => name.startsWith('CLOSE_'));
    for (const [name, code] of constants)
      if (typeof code === 'number') assert.ok(CLOSE_CODES.includes(code), `${name} has an action`);
  });

  it('mean a drop for every other code docs/api.md names', () => {
    assert.deepEqual(dropCodes, [1005, 1006], 'the codes this file tests as "none" and "drop"');
    for (const code of [1000, 1001, ...dropCodes]) {
      assert.equal(closeAction(code), 'reconnect', String(code));
      assert.ok(!CLOSE_CODES.includes(code), `${code} is listed as a drop and with an action`);
    }
  });

  describe('are what the server closes with', () => {
    let platform: FakePlatform;
    before(async () => {
      platform = await startFakePlatform({
        DRYDOCK_SESSIONS_PER_CLIENT: '100',
        DRYDOCK_TERMINALS_PER_SESSION: '1',
      });
    });
    after(async () => {
      for (const client of platform.app.websocketServer.clients) client.terminate();
      await platform.close();
    });

    const closedWith = async (
      open: () => Promise<{ code: number }>,
      expected: number,
      action: CloseAction,
    ) => {
      const { code } = await open();
      assert.equal(code, expected);
      assert.ok(CLOSE_CODES.includes(code));
      assert.equal(closeAction(code), action);
    };

    it('4403 for a page from another site, 4404 for a wrong token, 4429 over the terminal limit', async () => {
      const { app } = platform;
      const session = await newSession(app);
      await closedWith(
        async () =>
          (await terminal(app, session.id, session.token, { origin: 'https://evil.example' }))
            .closed,
        closeCodes.CLOSE_FORBIDDEN_ORIGIN,
        'refuse',
      );
      await closedWith(
        async () => (await terminal(app, session.id, 'not-the-token')).closed,
        closeCodes.CLOSE_UNKNOWN_SESSION,
        'end',
      );
      const first = await terminal(app, session.id, session.token);
      await first.message('ready');
      await closedWith(
        async () => (await terminal(app, session.id, session.token)).closed,
        closeCodes.CLOSE_TOO_MANY_TERMINALS,
        'end',
      );
      first.ws.close();
    });

    it('1013 while labs are not available yet', async () => {
      const held = await startFakePlatform({}, { held: true });
      try {
        await closedWith(
          async () => (await terminal(held.app, 's_aaaaaaaaaaaa', 'any-token')).closed,
          closeCodes.CLOSE_TRY_AGAIN_LATER,
          'reconnect',
        );
      } finally {
        await held.close();
      }
    });

    it('1011 when the terminal cannot be opened in a running sandbox', async () => {
      const { app } = platform;
      const session = await newSession(app);
      const sandbox = app.sessions.get(session.id, session.token).sandbox!;
      sandbox.openTerminal = async () => {
        throw new Error('exec failed');
      };
      await closedWith(
        async () => (await terminal(app, session.id, session.token)).closed,
        closeCodes.CLOSE_SERVER_FAULT,
        'end',
      );
    });

    it('1009 for a frame over MAX_FRAME_BYTES (one of exactly that size is taken), 1007 for a text frame that is not UTF-8', async () => {
      const { app } = platform;
      const session = await newSession(app);
      const exact = await terminal(app, session.id, session.token);
      await exact.message('ready');
      let echoed = 0;
      const whole = new Promise<void>((resolve) =>
        exact.ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (isBinary && (echoed += data.length) >= MAX_FRAME_BYTES) resolve();
        }),
      );
      exact.ws.send(Buffer.alloc(MAX_FRAME_BYTES, 0x61));
      await whole;
      exact.ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x61));
      await closedWith(async () => exact.closed, closeCodes.CLOSE_MESSAGE_TOO_BIG, 'refuse');

      const bad = await terminal(app, session.id, session.token);
      await bad.message('ready');
      bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      await closedWith(async () => bad.closed, closeCodes.CLOSE_INVALID_DATA, 'refuse');
    });
  });
});

/** A stand-in for the lab page's xterm.js terminal: what the shell wrote, and the keyboard. */
function fakeTerminal() {
  let type: (data: string) => void = () => {};
  const terminal = {
    cols: 80,
    rows: 24,
    output: '',
    write(bytes: Uint8Array, done: () => void) {
      terminal.output += new TextDecoder().decode(bytes);
      done();
    },
    onInput(listener: (data: string) => void) {
      type = listener;
      return { dispose: () => {} };
    },
    onResize: () => ({ dispose: () => {} }),
    type: (data: string) => type(data),
  };
  return terminal;
}

type Outcome = { action: CloseAction; detail: string; reason?: string };

/** Connects the browser's SessionConnection to `origin` and resolves with what it decided first. */
function connect(origin: string, session: CreatedSession, terminal = fakeTerminal()) {
  Object.defineProperty(globalThis, 'location', {
    value: new URL(origin),
    configurable: true,
  });
  let decide!: (outcome: Outcome) => void;
  const decided = new Promise<Outcome>((resolve) => (decide = resolve));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const connection = new SessionConnection(session, terminal as unknown as LabTerminal, {
    onProgress: (text, detail) => {
      if (text === 'Reconnecting…') decide({ action: 'reconnect', detail });
    },
    onReady: markReady,
    onEnded: (detail, reason) => decide({ action: 'end', detail, ...(reason ? { reason } : {}) }),
    onRefused: (detail) => decide({ action: 'refuse', detail }),
    onWatched: () => {},
    onBroadcast: () => {},
    onTakeover: () => {},
  });
  return { connection, decided, ready, terminal };
}

const sessionFor = (token: string): CreatedSession => ({
  id: 's_AAAAAAAAAAAA',
  token,
  lab: 'tiny-lab',
  state: 'ready',
  message: 'Ready.',
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  serverTime: new Date().toISOString(),
  idleTimeoutSeconds: 900,
  extensions: 0,
  tasks: [],
});

describe('the browser’s terminal client', () => {
  let server: WebSocketServer;
  let origin: string;
  before(async () => {
    // Closes each socket as its token says: a code, "none" (no code: 1005) or "drop" (1006).
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket: WebSocket, request) => {
      const token = new URL(request.url!, 'http://x').searchParams.get('token')!;
      if (token === 'drop') socket.terminate();
      else if (token === 'none') socket.close();
      else socket.close(Number(token), 'closed by the test');
    });
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    Reflect.deleteProperty(globalThis, 'location');
    await new Promise((resolve) => server.close(resolve));
  });

  for (const code of [...CLOSE_CODES, 1000, 1001, 'none', 'drop'] as const) {
    // "none" is 1005 and "drop" 1006, which docs/api.md names as drops.
    const expected = (typeof code === 'number' && documented.get(code)) || 'reconnect';
    it(`does what docs/api.md says on ${code}: ${expected}`, async () => {
      const { connection, decided } = connect(origin, sessionFor(String(code)));
      const outcome = await decided;
      connection.close();
      assert.equal(outcome.action, expected, outcome.detail);
      if (typeof code === 'number') assert.equal(closeAction(code), expected);
      if (code === closeCodes.CLOSE_SERVER_FAULT) assert.equal(outcome.reason, 'failed');
      if (expected === 'refuse' && code !== closeCodes.CLOSE_FORBIDDEN_ORIGIN)
        assert.match(outcome.detail, /reload the page/);
    });
  }

  it('splits input into frames the server takes, the last one short', () => {
    const paste = new Uint8Array(2 * MAX_FRAME_BYTES + 10).map((_, i) => i % 251);
    const frames = inputFrames(paste);
    assert.deepEqual(
      frames.map((f) => f.byteLength),
      [MAX_FRAME_BYTES, MAX_FRAME_BYTES, 10],
    );
    assert.deepEqual(Buffer.concat(frames), Buffer.from(paste));
    assert.ok(ACK_BATCH_BYTES < HIGH_WATERMARK_BYTES, 'acks come before the server pauses');
  });

  it('gets a paste larger than a frame to the shell whole, the socket open', async (t) => {
    const platform = await startFakePlatform({ DRYDOCK_SESSIONS_PER_CLIENT: '100' });
    t.after(() => platform.close());
    const address = await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const session = await newSession(platform.app);
    const { connection, decided, ready, terminal } = connect(address, session);
    t.after(() => connection.close());
    await ready;
    let closed: Outcome | undefined;
    void decided.then((outcome) => (closed = outcome));
    const paste = `${'p'.repeat(3 * MAX_FRAME_BYTES)}END`;
    terminal.type(paste);
    const deadline = Date.now() + 10_000;
    while (!terminal.output.includes('END') && !closed && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, undefined, 'the terminal socket closed');
    assert.ok(terminal.output.includes(paste));
  });
});

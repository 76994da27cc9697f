/**
 * Property-based fuzzing of the whole API (fast-check): random methods, paths,
 * ids, tokens, query strings, headers, content types and bodies on every
 * route, and random frames on the terminal WebSocket. Whatever arrives, the
 * server answers below 500, every 4xx carries the protocol's error body,
 * and /api/status still answers afterwards. Sandboxes are in-memory, so the
 * loop runs in seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiErrorBodySchema } from '../../protocol/api-error.ts';
import { CLOSE_CODES } from '../../protocol/close-codes.ts';
import { parseValue } from '../../protocol/parse.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const RUNS = Number(process.env.DRYDOCK_FUZZ_RUNS ?? 300);

describe('API fuzzing', () => {
  let platform: FakePlatform;
  const real: { id: string; token: string }[] = [];

  before(async () => {
    // High limits, so that most requests reach the routes rather than the rate limiter (whose 429s are checked too).
    platform = await startFakePlatform({
      DRYDOCK_MAX_SANDBOXES: '1000',
      DRYDOCK_SESSIONS_PER_CLIENT: '1000',
      DRYDOCK_CREATE_RATE: '10000',
      DRYDOCK_API_RATE: '1000000',
    });
    for (let i = 0; i < 3; i++) {
      const res = await platform.app.inject({
        method: 'POST',
        url: '/api/sessions',
        remoteAddress: '10.9.9.9',
        payload: { lab: 'tiny-lab' },
      });
      assert.equal(res.statusCode, 201);
      real.push(res.json());
    }
    // One ended session, one ready, one left as it is.
    await platform.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${real[0]!.id}`,
      headers: { authorization: `Bearer ${real[0]!.token}` },
    });
    await platform.app.sessions.get(real[1]!.id, real[1]!.token).provisioned;
  });
  after(async () => {
    for (const client of platform.app.websocketServer.clients) client.terminate();
    await platform.close();
  });

  const printable = fc.string({
    unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCZ[\\]^_`az{|}~'.split('')),
    maxLength: 40,
  });
  const anyText = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    printable,
  );
  const id = () =>
    fc.oneof(
      fc.constantFrom(...real.map((s) => s.id)),
      fc.stringMatching(/^s_[A-Za-z0-9_-]{12}$/),
      anyText.map(encodeURIComponent),
      fc.constantFrom(
        '',
        '..%2F..%2Fetc',
        '%00',
        's_AAAAAAAAAAAA',
        'x'.repeat(5000),
        '%E0%A4%A',
        '%',
      ),
    );
  const token = () =>
    fc.oneof(fc.constantFrom(...real.map((s) => s.token)), printable, fc.constant(''));
  const path = () =>
    fc.oneof(
      fc.constantFrom('/api/status', '/api/labs', '/api/sessions', '/api/labs/tiny-lab'),
      id().map((x) => `/api/labs/${x}`),
      id().map((x) => `/api/sessions/${x}`),
      id().map((x) => `/api/sessions/${x}/check`),
      id().map((x) => `/api/sessions/${x}/terminal`),
      printable.map((x) => `/api/${encodeURIComponent(x)}`),
    );
  const query = () =>
    fc.oneof(
      fc.constant(''),
      fc
        .dictionary(printable, printable, { maxKeys: 4 })
        .map((q) => `?${new URLSearchParams(q).toString()}`),
      token().map((t) => `?token=${encodeURIComponent(t)}&cols=-1&rows=1e9`),
      printable.map((q) => `?${q.replace(/#/g, '')}`),
    );
  const contentType = fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/JSON',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/octet-stream',
    '*/*',
    'garbage',
    '',
  );
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          lab: fc.oneof(fc.constant('tiny-lab'), anyText, fc.integer()),
          ticket: fc.oneof(anyText, fc.integer(), fc.constant(null)),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc.constant('{"lab":"tiny-lab"}'),
    fc.constant('{"lab":"tiny-lab","__proto__":{"admin":true}}'),
    fc.constant('{"lab":'),
    anyText,
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.constant('x'.repeat(20_000)),
  );
  const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable, {
    maxKeys: 3,
  });
  const request = () =>
    fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
      url: fc.tuple(path(), query()).map(([p, q]) => p + q),
      authorization: fc.oneof(
        fc.constant(undefined),
        token().map((t) => `Bearer ${t}`),
        printable,
      ),
      contentType,
      body,
      headers: extraHeaders,
      remoteAddress: fc.constantFrom('10.0.0.1', '10.0.0.2', '::1', '2001:db8::1'),
      forwardedFor: fc.oneof(fc.constant(undefined), printable),
    });

  it('answers every request below 500, with a JSON error on every 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(request(), async (r) => {
        const headers: Record<string, string> = { ...r.headers };
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.forwardedFor !== undefined) headers['x-forwarded-for'] = r.forwardedFor;
        const res = await platform.app.inject({
          method: r.method,
          url: r.url,
          headers,
          remoteAddress: r.remoteAddress,
          ...(r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD'
            ? { payload: r.body }
            : {}),
        });
        assert.ok(
          res.statusCode < 500,
          `${r.method} ${r.url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`,
        );
        if (res.statusCode >= 400 && r.method !== 'HEAD') {
          const parsed = parseValue(ApiErrorBodySchema, res.json());
          assert.ok(
            parsed.ok,
            `${r.method} ${r.url}: ${parsed.ok ? '' : parsed.why}: ${res.body.slice(0, 300)}`,
          );
        }
      }),
      { numRuns: RUNS },
    );
    assert.equal((await platform.app.inject({ url: '/api/status' })).statusCode, 200);
  });

  it('survives random upgrades and frames on the terminal WebSocket', async () => {
    // Every close code of the protocol (4410 when the id is a session that has ended: the HTTP
    // fuzzing above creates and deletes some), and the client's own 1000 or a lost connection.
    const allowed = new Set([1000, 1005, 1006, ...CLOSE_CODES]);
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }).map((t) => ({ data: t, binary: false })),
      fc.jsonValue().map((v) => ({ data: JSON.stringify(v), binary: false })),
      fc
        .record(
          {
            type: fc.constantFrom('resize', 'ack', 'exec', ''),
            cols: fc.oneof(fc.integer(), fc.double(), fc.string()),
            rows: fc.oneof(fc.integer(), fc.double()),
            bytes: fc.oneof(fc.integer(), fc.double()),
          },
          { requiredKeys: ['type'] },
        )
        .map((v) => ({
          data: JSON.stringify(v),
          binary: false,
        })),
      fc.uint8Array({ maxLength: 300 }).map((a) => ({ data: Buffer.from(a), binary: true })),
      fc
        .uint8Array({ minLength: 1, maxLength: 50 })
        .map((a) => ({ data: Buffer.from(a), binary: false })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          id: id(),
          token: token(),
          origin: fc.oneof(fc.constant(undefined), fc.constant('http://localhost:80'), printable),
          frames: fc.array(frame, { maxLength: 8 }),
        }),
        async (r) => {
          let closed!: Promise<number>;
          let ws;
          try {
            ws = await platform.app.injectWS(
              `/api/sessions/${r.id}/terminal?token=${encodeURIComponent(r.token)}`,
              {
                headers: {
                  ...(r.origin !== undefined ? { origin: r.origin } : {}),
                  host: 'localhost:80',
                },
              },
              {
                onInit: (socket) =>
                  void (closed = new Promise((resolve) =>
                    socket.on('close', (code: number) => resolve(code)),
                  )),
              },
            );
          } catch (error) {
            // The upgrade itself was refused with an HTTP answer (e.g. 400 for a malformed id): fine, if it is a 4xx.
            const status = Number(/(\d{3})/.exec((error as Error).message)?.[1]);
            assert.ok(status >= 400 && status < 500, (error as Error).message);
            return;
          }
          for (const f of r.frames)
            if (ws.readyState === ws.OPEN) ws.send(f.data, { binary: f.binary });
          if (ws.readyState === ws.OPEN) ws.close(1000);
          const code = await closed;
          assert.ok(allowed.has(code), `closed with ${code}`);
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    assert.equal((await platform.app.inject({ url: '/api/status' })).statusCode, 200);
  });
});

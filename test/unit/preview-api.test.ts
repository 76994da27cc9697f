/**
 * Previews through the real app and real HTTP, with the in-memory sandbox whose
 * ports lead to web servers this test runs: the link, its cookie, the app's
 * answers passed on, and every refusal with its code and reason.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import {
  askPreviewLink,
  cookieOf,
  localhostLookup,
  openPreview,
  previewRequest,
} from '../support/preview.ts';

interface Learner {
  id: string;
  token: string;
}

/** Answers to /hold wait until the test calls release(). */
let release: () => void = () => {};
let held = new Promise<void>((resolve) => (release = resolve));

/** What the learner's app in the sandbox does: echoes, streams, sets cookies, redirects. */
function learnersApp(): Server {
  return createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      setTimeout(() => res.end('second\n'), 200);
      return;
    }
    if (req.url === '/hold') {
      void held.then(() => res.end('released'));
      return;
    }
    if (req.url === '/cookies') {
      res.setHeader('set-cookie', [
        'app=1; Path=/',
        'wide=1; Domain=localhost; Path=/',
        'drydock_preview=stolen; Path=/',
      ]);
      res.setHeader('clear-site-data', '"cookies"');
      return void res.end('ok');
    }
    if (req.url === '/away') {
      res.writeHead(302, { location: `http://localhost:8080/landed` });
      return void res.end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-app', 'yes');
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          cookie: req.headers.cookie ?? null,
          custom: req.headers['x-custom'] ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
  });
}

describe('previews of a web server in the sandbox', () => {
  let platform: FakePlatform;
  let base = '';
  let web: Server;
  let sockets: WebSocketServer;
  let mine: Learner;
  let theirs: Learner;

  const startSession = async (): Promise<Learner> => {
    const res = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lab: 'tiny-lab' }),
    });
    assert.equal(res.status, 201);
    const session = (await res.json()) as Learner;
    for (let i = 0; i < 100; i++) {
      const state = await fetch(`${base}/api/sessions/${session.id}`, {
        headers: { authorization: `Bearer ${session.token}` },
      }).then((r) => r.json());
      if (state.state === 'ready') return session;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the session did not become ready');
  };
  /** Makes `port` in the learner's sandbox lead to `server`. */
  const listen = (learner: Learner, port: number, server: Server) => {
    const sandbox = platform.app.sessions.find(learner.id)!.sandbox!;
    const ports = platform.provider.ports.get(sandbox.id) ?? new Map<number, number>();
    ports.set(port, (server.address() as { port: number }).port);
    platform.provider.ports.set(sandbox.id, ports);
  };

  before(async () => {
    web = learnersApp();
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    sockets = new WebSocketServer({ server: web, path: '/socket' });
    sockets.on('connection', (ws) =>
      ws.on('message', (m: Buffer) => ws.send(`echo: ${m.toString('utf8')}`)),
    );
    platform = await startFakePlatform({
      DRYDOCK_PREVIEW_BODY_LIMIT: '1k',
      DRYDOCK_PREVIEW_CONNECTIONS: '2',
      DRYDOCK_SESSIONS_PER_CLIENT: '5',
    });
    base = await platform.app.listen({ host: '127.0.0.1', port: 0 });
    mine = await startSession();
    theirs = await startSession();
    listen(mine, 8080, web);
    listen(theirs, 8080, web);
  });
  after(async () => {
    await platform.close();
    sockets.close();
    web.close();
  });

  it('gives the learner a one-time link on a host of its own, at the port they reached the server at', async () => {
    const link = await askPreviewLink(base, mine, 8080);
    assert.equal(link.status, 201);
    const port = new URL(base).port;
    assert.match(link.body.origin, new RegExp(`^http://[a-z2-7]{26}\\.localhost:${port}$`));
    assert.match(link.body.url, /\/__drydock_preview\/open\?code=[\w-]{43}$/);
    assert.equal(link.body.port, 8080);
    // The same port of the same session keeps its host; another session's is another.
    assert.equal((await askPreviewLink(base, mine, 8080)).body.origin, link.body.origin);
    assert.notEqual((await askPreviewLink(base, theirs, 8080)).body.origin, link.body.origin);
  });

  it('sets an HttpOnly cookie of the preview host only, then shows the app with method, headers and body passed on', async () => {
    const link = await askPreviewLink(base, mine, 8080);
    const opened = await previewRequest(link.body.url);
    assert.equal(opened.status, 303);
    const setCookie = String([opened.headers['set-cookie']].flat()[0]);
    assert.match(setCookie, /^drydock_preview=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.doesNotMatch(setCookie, /Domain/i);
    const cookie = cookieOf(opened);
    const answer = await previewRequest(`${link.body.origin}/form?x=1`, {
      method: 'PUT',
      headers: { cookie: `${cookie}; mine=2`, 'x-custom': 'kept', 'content-type': 'text/plain' },
      body: 'hello body',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-app'], 'yes');
    const seen = JSON.parse(answer.body);
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, '/form?x=1');
    assert.equal(seen.body, 'hello body');
    assert.equal(seen.custom, 'kept');
    assert.equal(seen.host, new URL(link.body.origin).host, 'the app sees the preview’s host');
    assert.equal(seen.cookie, 'mine=2', 'the preview’s own cookie never reaches the app');
  });

  it('streams an answer as the app writes it', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const firstAt = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      import('node:http').then(({ request }) =>
        request(`${origin}/stream`, { headers: { cookie }, lookup: localhostLookup }, (res) => {
          res.once('data', () => resolve(Date.now() - started));
          res.resume();
        })
          .on('error', reject)
          .end(),
      );
    });
    assert.ok(firstAt < 190, `the first line came before the app ended its answer (${firstAt} ms)`);
  });

  it('keeps the app’s cookies to its own host and drops Clear-Site-Data and a forged preview cookie', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const answer = await previewRequest(`${origin}/cookies`, { headers: { cookie } });
    assert.deepEqual(answer.headers['set-cookie'], ['app=1; Path=/', 'wide=1; Path=/']);
    assert.equal(answer.headers['clear-site-data'], undefined);
  });

  it('turns a redirect to the app’s own localhost address into the preview’s', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const answer = await previewRequest(`${origin}/away`, { headers: { cookie } });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.location, `${origin}/landed`);
  });

  it('passes a WebSocket through', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/socket`, {
      headers: { cookie },
      lookup: localhostLookup,
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('ping'));
      ws.once('message', (m: Buffer) => resolve(m.toString('utf8')));
      ws.once('error', reject);
    });
    ws.close();
    assert.equal(reply, 'echo: ping');
  });

  it('refuses a WebSocket without the preview’s cookie', async () => {
    const { origin } = await openPreview(base, mine, 8080);
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/socket`, { lookup: localhostLookup });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(-1));
    });
    assert.equal(status, 403);
  });

  describe('refusals, each with its code and reason', () => {
    it('a link used a second time: 403 PREVIEW_BAD_LINK, saying it was used', async () => {
      const link = await askPreviewLink(base, mine, 8080);
      assert.equal((await previewRequest(link.body.url)).status, 303);
      const again = await previewRequest(link.body.url);
      assert.equal(again.status, 403);
      assert.equal(JSON.parse(again.body).error.code, 'PREVIEW_BAD_LINK');
      assert.match(JSON.parse(again.body).error.message, /used already/);
      assert.equal(again.headers['set-cookie'], undefined);
    });

    it('a used link in the browser that used it leads to the preview again (the page’s fallback link)', async () => {
      const link = await askPreviewLink(base, mine, 8080);
      const cookie = cookieOf(await previewRequest(link.body.url));
      const again = await previewRequest(link.body.url, { headers: { cookie } });
      assert.equal(again.status, 303);
      assert.equal(again.headers.location, '/');
      assert.equal(again.headers['set-cookie'], undefined);
    });

    it('a link made for another preview, opened on mine: 403 PREVIEW_BAD_LINK', async () => {
      const myLink = await askPreviewLink(base, mine, 8080);
      const theirLink = await askPreviewLink(base, theirs, 8080);
      const forged = `${myLink.body.origin}/__drydock_preview/open?${new URL(theirLink.body.url).search.slice(1)}`;
      const answer = await previewRequest(forged);
      assert.equal(answer.status, 403);
      assert.match(JSON.parse(answer.body).error.message, /made for another preview/);
      // …and their link still works where it belongs: the forgery did not use it up.
      assert.equal((await previewRequest(theirLink.body.url)).status, 303);
    });

    it('a made-up code: 403 PREVIEW_BAD_LINK', async () => {
      const link = await askPreviewLink(base, mine, 8080);
      const answer = await previewRequest(
        `${link.body.origin}/__drydock_preview/open?code=${'A'.repeat(43)}`,
      );
      assert.equal(answer.status, 403);
      assert.equal(JSON.parse(answer.body).error.code, 'PREVIEW_BAD_LINK');
    });

    it('no cookie: 403 PREVIEW_FORBIDDEN, as a page for a person and JSON for a script', async () => {
      const { origin } = await openPreview(base, mine, 8080);
      const json = await previewRequest(`${origin}/`);
      assert.equal(json.status, 403);
      assert.equal(JSON.parse(json.body).error.code, 'PREVIEW_FORBIDDEN');
      const page = await previewRequest(`${origin}/`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 403);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /belongs to a session this browser has not opened it from/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    });

    it('another session’s cookie on my preview: 403 PREVIEW_FORBIDDEN', async () => {
      const { origin } = await openPreview(base, mine, 8080);
      const their = await openPreview(base, theirs, 8080);
      const answer = await previewRequest(`${origin}/`, { headers: { cookie: their.cookie } });
      assert.equal(answer.status, 403);
      assert.equal(JSON.parse(answer.body).error.code, 'PREVIEW_FORBIDDEN');
    });

    it('a preview host nobody was given: 404 PREVIEW_NOT_FOUND', async () => {
      const port = new URL(base).port;
      const answer = await previewRequest(`http://${'a'.repeat(26)}.localhost:${port}/`);
      assert.equal(answer.status, 404);
      assert.equal(JSON.parse(answer.body).error.code, 'PREVIEW_NOT_FOUND');
      const malformed = await previewRequest(`http://api.localhost:${port}/api/status`);
      assert.equal(malformed.status, 404, 'a preview host never serves the platform');
      assert.equal(JSON.parse(malformed.body).error.code, 'PREVIEW_NOT_FOUND');
    });

    it('a port where nothing listens: 409 PORT_CLOSED from the API, 502 PORT_CLOSED in the tab', async () => {
      const link = await askPreviewLink(base, mine, 9999);
      assert.equal(link.status, 409);
      assert.equal(link.body.error?.code, 'PORT_CLOSED');
      assert.match(JSON.stringify(link.body), /Nothing listens on port 9999 in your sandbox/);

      // The app stops after the preview was opened.
      const spare = learnersApp();
      await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
      listen(mine, 8081, spare);
      const { origin, cookie } = await openPreview(base, mine, 8081);
      platform.provider.ports.get(platform.app.sessions.find(mine.id)!.sandbox!.id)!.delete(8081);
      spare.closeAllConnections();
      spare.close();
      const answer = await previewRequest(`${origin}/`, {
        headers: { cookie, accept: 'text/html' },
      });
      assert.equal(answer.status, 502);
      assert.match(answer.body, /Nothing listens on port 8081 in your sandbox/);
    });

    it('a port out of range: 400 BAD_REQUEST naming the field', async () => {
      for (const port of [0, 65536, 'http']) {
        const res = await fetch(`${base}/api/sessions/${mine.id}/previews`, {
          method: 'POST',
          headers: { authorization: `Bearer ${mine.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ port }),
        });
        assert.equal(res.status, 400, `port ${port}`);
        assert.equal((await res.json()).error.code, 'BAD_REQUEST');
      }
    });

    it('another session’s token: 404 SESSION_NOT_FOUND, like an unknown session', async () => {
      const link = await askPreviewLink(base, { id: mine.id, token: theirs.token }, 8080);
      assert.equal(link.status, 404);
      assert.equal(link.body.error?.code, 'SESSION_NOT_FOUND');
    });

    it('a body over DRYDOCK_PREVIEW_BODY_LIMIT: 413 PREVIEW_TOO_LARGE, declared or streamed', async () => {
      const { origin, cookie } = await openPreview(base, mine, 8080);
      const declared = await previewRequest(`${origin}/`, {
        method: 'POST',
        headers: { cookie },
        body: 'x'.repeat(2048),
      });
      assert.equal(declared.status, 413);
      assert.equal(JSON.parse(declared.body).error.code, 'PREVIEW_TOO_LARGE');
      const streamed = await previewRequest(`${origin}/`, {
        method: 'POST',
        headers: { cookie, 'transfer-encoding': 'chunked' },
        body: 'x'.repeat(2048),
      });
      assert.equal(streamed.status, 413);
    });

    it('the session ended: its preview is gone (404) and links for it are refused', async () => {
      const leaving = await startSession();
      listen(leaving, 8080, web);
      const { origin, cookie } = await openPreview(base, leaving, 8080);
      assert.equal((await previewRequest(`${origin}/`, { headers: { cookie } })).status, 200);
      await fetch(`${base}/api/sessions/${leaving.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${leaving.token}` },
      });
      const answer = await previewRequest(`${origin}/`, { headers: { cookie } });
      assert.equal(answer.status, 404);
      const link = await askPreviewLink(base, leaving, 8080);
      assert.equal(link.status, 409);
      assert.equal(link.body.error?.code, 'SESSION_ENDED');
    });
  });

  it('lists the ports something listens on in the sandbox', async () => {
    const res = await fetch(`${base}/api/sessions/${mine.id}/previews/ports`, {
      headers: { authorization: `Bearer ${mine.token}` },
    });
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as { ports: number[] }).ports.includes(8080));
  });

  it('holds requests beyond DRYDOCK_PREVIEW_CONNECTIONS in line instead of failing them', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => previewRequest(`${origin}/stream`, { headers: { cookie } })),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.ok(platform.app.previews!.connectionsOpen <= 2);
  });

  it('reuses a kept-alive connection into the sandbox for successive requests', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    const before = platform.provider.portConnections;
    for (let i = 0; i < 5; i++)
      assert.equal((await previewRequest(`${origin}/`, { headers: { cookie } })).status, 200);
    assert.ok(
      platform.provider.portConnections - before <= 1,
      `${platform.provider.portConnections - before} connections for 5 requests`,
    );
  });

  it('opens no more connections into the sandbox than the session may hold, even while they are being opened', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    // A real connection is an exec into the sandbox (~150 ms): a burst comes while the first ones open.
    platform.provider.portConnectDelayMs = 300;
    held = new Promise<void>((resolve) => (release = resolve));
    const opened = platform.provider.portConnections;
    try {
      const burst = Array.from({ length: 12 }, () =>
        previewRequest(`${origin}/hold`, { headers: { cookie } }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(
        platform.provider.portConnections - opened <= 2,
        `a burst of 12 opened ${platform.provider.portConnections - opened} connections; DRYDOCK_PREVIEW_CONNECTIONS is 2`,
      );
      release();
      const answers = await Promise.all(burst);
      assert.deepEqual(
        answers.map((a) => a.status),
        answers.map(() => 200),
        'every request of the burst was served, in turn',
      );
      assert.ok(platform.provider.portConnections - opened <= 2, 'and over the same connections');
    } finally {
      release();
      platform.provider.portConnectDelayMs = 0;
    }
  });

  it('refuses requests beyond 64 waiting with 503 PREVIEW_BUSY, and serves the rest', async () => {
    const { origin, cookie } = await openPreview(base, mine, 8080);
    held = new Promise<void>((resolve) => (release = resolve));
    // Two hold both connections; 64 more may wait for them; the rest are refused at once.
    const pending = Array.from({ length: 70 }, () =>
      previewRequest(`${origin}/hold`, { headers: { cookie } }),
    );
    const refused = await Promise.race([
      Promise.any(
        pending.map((p) =>
          p.then((a) => {
            if (a.status !== 503) throw new Error(`served (${a.status})`);
            return a;
          }),
        ),
      ),
      // Long enough for a machine that four CI lanes keep busy (10 s was not, once).
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000)),
    ]);
    release();
    const answers = await Promise.all(pending);
    assert.ok(refused, 'a request beyond the line was refused while the others waited');
    assert.equal(JSON.parse(refused.body).error.code, 'PREVIEW_BUSY');
    const served = answers.filter((a) => a.status === 200).length;
    assert.equal(served + answers.filter((a) => a.status === 503).length, 70);
    assert.ok(served >= 64, `the others were served (${served})`);
  });

  it('counts preview requests by outcome in /metrics', async () => {
    const metrics = await platform.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /drydock_preview_requests_total\{outcome="proxied"\} [1-9]/);
    assert.match(metrics.body, /drydock_preview_requests_total\{outcome="forbidden"\} [1-9]/);
    assert.match(metrics.body, /drydock_preview_connections_open \d+/);
  });
});

describe('previews switched off', () => {
  it('answers 404 PREVIEW_UNAVAILABLE naming DRYDOCK_PREVIEW_URL', async () => {
    const platform = await startFakePlatform({ DRYDOCK_PREVIEW_URL: 'off' });
    try {
      const created = await platform.app.inject({
        method: 'POST',
        url: '/api/sessions',
        payload: { lab: 'tiny-lab' },
      });
      const { id, token } = created.json();
      const res = await platform.app.inject({
        method: 'POST',
        url: `/api/sessions/${id}/previews`,
        headers: { authorization: `Bearer ${token}` },
        payload: { port: 8080 },
      });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'PREVIEW_UNAVAILABLE');
      assert.match(res.json().error.message, /DRYDOCK_PREVIEW_URL/);
    } finally {
      await platform.close();
    }
  });
});

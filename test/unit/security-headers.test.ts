/**
 * Headers every answer carries against framing, MIME sniffing and leaking
 * URLs in Referer, and caching that lets browsers keep Astro's fingerprinted
 * assets for a year while pages are always revalidated. Against the built
 * site (`npm test` builds it first) served by the real app without an engine.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ROOT, serveSiteWithoutEngine } from '../support/platform.ts';
import { startFakePlatform } from '../support/fake-sandbox.ts';

const asset = readdirSync(join(ROOT, 'dist', '_astro')).find((name) => name.endsWith('.js'));

function assertSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  assert.equal(headers['x-frame-options'], 'SAMEORIGIN', `${what}: X-Frame-Options`);
  assert.match(
    String(headers['content-security-policy']),
    /frame-ancestors 'self'/,
    `${what}: CSP frame-ancestors`,
  );
  assert.equal(headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(
    headers['referrer-policy'],
    'strict-origin-when-cross-origin',
    `${what}: Referrer-Policy`,
  );
}

describe('security headers and caching on the built site', () => {
  let app: FastifyInstance;

  before(async () => {
    ({ app } = await serveSiteWithoutEngine());
  });
  after(() => app.close());

  it('sends the security headers on pages, assets, API answers, errors and probes', async () => {
    for (const url of [
      '/',
      '/labs/',
      `/_astro/${asset}`,
      '/favicon.svg',
      '/no-such-page',
      '/api/status',
      '/api/labs',
      '/api/no-such-route',
      // Fastify refuses these before any hook runs.
      '/api/labs/%E0%A4%A',
      '/%E0%A4%A',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      const res = await app.inject({ url });
      assertSecurityHeaders(res.headers, `${url} (${res.statusCode})`);
    }
  });

  it('sends no CSP that would block the site’s own inline scripts and styles', async () => {
    const res = await app.inject({ url: '/' });
    assert.match(res.body, /<script/);
    const csp = String(res.headers['content-security-policy']);
    for (const directive of ['default-src', 'script-src', 'style-src'])
      assert.ok(!csp.includes(directive), `the CSP must not restrict ${directive}: ${csp}`);
  });

  it('lets browsers keep fingerprinted assets under /_astro/ for a year', async () => {
    assert.ok(asset, 'the built site has assets under dist/_astro');
    const res = await app.inject({ url: `/_astro/${asset}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('makes browsers revalidate pages and unhashed files, and answers a revalidation with 304', async () => {
    for (const url of ['/', '/labs/', '/favicon.svg', '/sitemap-index.xml', '/no-such-page']) {
      const res = await app.inject({ url });
      assert.equal(res.headers['cache-control'], 'no-cache', `${url} (${res.statusCode})`);
    }
    const first = await app.inject({ url: '/' });
    assert.ok(first.headers.etag, 'pages carry an ETag to revalidate against');
    const again = await app.inject({
      url: '/',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });
});

describe('security headers and the terminal WebSocket', () => {
  it('still opens a terminal WebSocket and types into it', async () => {
    const platform = await startFakePlatform();
    try {
      const { app } = platform;
      const created = await app.inject({
        method: 'POST',
        url: '/api/sessions',
        payload: { lab: 'tiny-lab' },
      });
      const { id, token } = created.json<{ id: string; token: string }>();
      assertSecurityHeaders(created.headers, 'POST /api/sessions');
      await app.sessions.get(id, token).provisioned;
      let echoed = '';
      let gotEcho!: () => void;
      const echo = new Promise<void>((resolve) => (gotEcho = resolve));
      const ws = await app.injectWS(
        `/api/sessions/${id}/terminal?token=${token}`,
        {},
        {
          onInit: (socket) =>
            socket.on('message', (data: Buffer, isBinary: boolean) => {
              if (!isBinary) {
                if ((JSON.parse(data.toString()) as { type: string }).type === 'ready')
                  socket.send(Buffer.from('echo framed-by-self'));
                return;
              }
              echoed += data.toString();
              if (echoed.includes('framed-by-self')) gotEcho();
            }),
        },
      );
      await echo;
      ws.terminate();
    } finally {
      for (const client of platform.app.websocketServer.clients) client.terminate();
      await platform.close();
    }
  });
});

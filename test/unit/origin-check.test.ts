/**
 * Which pages may open a terminal, at the protocol level: the real app on a
 * port, a real WebSocket client sending the headers a browser (and a reverse
 * proxy in front of the server) would send, and the close code that comes back.
 * (Not injectWS: its in-memory request has no socket, which trusting a proxy needs.) No engine: an accepted
 * origin shows as 1013 "labs not available yet", the next step after the
 * origin check, and a refused one as 4403, which the browser does not retry.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { CLOSE_FORBIDDEN_ORIGIN, CLOSE_TRY_AGAIN_LATER } from '../../protocol/close-codes.ts';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { NO_ENGINE } from '../support/fake-sandbox.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

const TERMINAL = '/api/sessions/s_AAAAAAAAAAAA/terminal?token=x';

describe('the terminal origin check', () => {
  const root = tempRoot();
  root.writeLab('tiny-lab', GOOD_MANIFEST);
  const apps: FastifyInstance[] = [];

  /** The app with this configuration, listening on a free loopback port; resolves with its ws:// base. */
  async function appWith(env: Record<string, string>): Promise<string> {
    const app = await buildApp(
      loadConfig({
        DRYDOCK_ROOT: root.root,
        DOCKER_HOST: NO_ENGINE,
        DRYDOCK_OWNER: 'unit',
        ...env,
      }),
      { logger: false },
    );
    apps.push(app);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return url.replace(/^http/, 'ws');
  }

  /** Opens the terminal WebSocket with these handshake headers; resolves with the close code and reason. */
  async function closeOf(
    base: string,
    headers: Record<string, string>,
  ): Promise<{ code: number; reason: string }> {
    const ws = new WebSocket(`${base}${TERMINAL}`, { headers });
    return new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      );
    });
  }

  after(async () => {
    for (const app of apps) await app.close();
    root[Symbol.dispose]();
  });

  describe('with DRYDOCK_PUBLIC_URL set', () => {
    const env = { DRYDOCK_PUBLIC_URL: 'https://drydock.example.org/' };

    it('accepts a page from the public URL even when the proxy passes on its own Host', async () => {
      const app = await appWith(env);
      const { code } = await closeOf(app, {
        origin: 'https://drydock.example.org',
        host: '127.0.0.1:4400',
      });
      assert.equal(code, CLOSE_TRY_AGAIN_LATER);
    });

    it('refuses a page from the server’s own address with 4403 and a reason a learner can read', async () => {
      const app = await appWith(env);
      const { code, reason } = await closeOf(app, {
        origin: 'http://127.0.0.1:4400',
        host: '127.0.0.1:4400',
      });
      assert.equal(code, CLOSE_FORBIDDEN_ORIGIN);
      assert.match(reason, /address is not one this lab server accepts/);
    });

    it('refuses the public host over plain http, and another port of it', async () => {
      const app = await appWith(env);
      for (const origin of ['http://drydock.example.org', 'https://drydock.example.org:8443']) {
        const { code } = await closeOf(app, { origin, host: 'drydock.example.org' });
        assert.equal(code, CLOSE_FORBIDDEN_ORIGIN, origin);
      }
    });

    it('refuses a page whose own Host matches it, as a DNS-rebinding page’s would', async () => {
      const app = await appWith(env);
      const { code } = await closeOf(app, {
        origin: 'http://rebound.example',
        host: 'rebound.example',
      });
      assert.equal(code, CLOSE_FORBIDDEN_ORIGIN);
    });
  });

  describe('without a public URL', () => {
    it('accepts a page from the host the request was sent to', async () => {
      const app = await appWith({});
      const { code } = await closeOf(app, {
        origin: 'http://127.0.0.1:4400',
        host: '127.0.0.1:4400',
      });
      assert.equal(code, CLOSE_TRY_AGAIN_LATER);
    });

    it('believes X-Forwarded-Host from a trusted proxy', async () => {
      const app = await appWith({ DRYDOCK_TRUST_PROXY: '127.0.0.1' });
      const { code } = await closeOf(app, {
        origin: 'https://drydock.example.org',
        host: '127.0.0.1:4400',
        'x-forwarded-host': 'drydock.example.org',
        'x-forwarded-proto': 'https',
      });
      assert.equal(code, CLOSE_TRY_AGAIN_LATER);
    });

    it('ignores X-Forwarded-Host when no proxy is trusted, so a client cannot claim any host', async () => {
      const app = await appWith({});
      const { code } = await closeOf(app, {
        origin: 'https://evil.example',
        host: '127.0.0.1:4400',
        'x-forwarded-host': 'evil.example',
      });
      assert.equal(code, CLOSE_FORBIDDEN_ORIGIN);
    });

    it('refuses a plain-http page when the trusted proxy says the learner came over https', async () => {
      const app = await appWith({ DRYDOCK_TRUST_PROXY: '127.0.0.1' });
      const { code } = await closeOf(app, {
        origin: 'http://drydock.example.org',
        host: '127.0.0.1:4400',
        'x-forwarded-host': 'drydock.example.org',
        'x-forwarded-proto': 'https',
      });
      assert.equal(code, CLOSE_FORBIDDEN_ORIGIN);
    });

    for (const origin of ['http://evil.example', 'null', 'not a url']) {
      it(`refuses a page from another origin (${origin}) with 4403`, async () => {
        const app = await appWith({});
        const { code } = await closeOf(app, { origin, host: '127.0.0.1:4400' });
        assert.equal(code, CLOSE_FORBIDDEN_ORIGIN);
      });
    }
  });
});

/**
 * Previews, attacked: a learner with a sandbox of their own tries to see another
 * learner's preview (with their own token, their own preview's cookie, their own
 * link, a guessed host), to reuse or outlive a link, and to reach through a
 * preview what is not their sandbox's: the lab server's port, the host's, a
 * honeypot on every host address. Real sandboxes, real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LINK_LIFETIME_MS } from '../../lab-server/preview/preview-grants.ts';
import type { Session } from '../../lab-server/sessions/session.ts';
import { asLearner, readySessions } from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { askPreviewLink, openPreview, previewRequest } from '../support/preview.ts';

const LAB = 'named-volume-masks-image';
const PORT = 8090;
const SECRET = `victim-page-${process.pid}`;

const learnerOf = (session: Session) => ({ id: session.id, token: session.token! });
const codeOf = (answer: { body: string }) => JSON.parse(answer.body).error.code as string;

describe('one learner’s preview is nobody else’s', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let victim: Session;
  let attacker: Session;
  let honeypot: Server;
  let honeypotPort = 0;
  const knocks: string[] = [];
  let now = Date.now();

  before(async () => {
    honeypot = createServer((socket) => {
      knocks.push(String(socket.remoteAddress));
      socket.on('error', () => {});
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nhoneypot');
    });
    await new Promise<void>((resolve) => honeypot.listen(0, '0.0.0.0', resolve));
    honeypotPort = (honeypot.address() as { port: number }).port;
    platform = await startPlatform(
      { DRYDOCK_IDLE_TIMEOUT: '30m' },
      { listen: true, parts: { clock: () => now } },
    );
    [victim, attacker] = await readySessions(platform, LAB, 2);
    const started = await asLearner(
      victim,
      `mkdir -p /srv/www && echo '${SECRET}' > /srv/www/index.html && busybox httpd -p ${PORT} -h /srv/www`,
    );
    assert.equal(started.exitCode, 0, started.output);
  });
  after(async () => {
    honeypot.close();
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  it('shows the victim their own page (the control)', async () => {
    const { origin, cookie } = await openPreview(platform.url, learnerOf(victim), PORT);
    const page = await previewRequest(`${origin}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.body, new RegExp(SECRET));
  });

  it('gives the attacker’s token no link to the victim’s session', async () => {
    const link = await askPreviewLink(
      platform.url,
      { id: victim.id, token: attacker.token! },
      PORT,
    );
    assert.equal(link.status, 404);
    assert.equal(link.body.error?.code, 'SESSION_NOT_FOUND');
  });

  it('refuses the attacker’s own preview cookie on the victim’s preview host', async () => {
    await asLearner(
      attacker,
      `mkdir -p /srv/a && echo attacker > /srv/a/index.html && busybox httpd -p ${PORT} -h /srv/a`,
    );
    const mine = await openPreview(platform.url, learnerOf(attacker), PORT);
    const theirs = await askPreviewLink(platform.url, learnerOf(victim), PORT);
    const answer = await previewRequest(`${theirs.body.origin}/`, {
      headers: { cookie: mine.cookie },
    });
    assert.equal(answer.status, 403);
    assert.equal(codeOf(answer), 'PREVIEW_FORBIDDEN');
    assert.doesNotMatch(answer.body, new RegExp(SECRET));
  });

  it('refuses the attacker’s link code presented on the victim’s host', async () => {
    const mine = await askPreviewLink(platform.url, learnerOf(attacker), PORT);
    const theirs = await askPreviewLink(platform.url, learnerOf(victim), PORT);
    const forged = `${theirs.body.origin}${new URL(mine.body.url).pathname}${new URL(mine.body.url).search}`;
    const answer = await previewRequest(forged);
    assert.equal(answer.status, 403);
    assert.equal(codeOf(answer), 'PREVIEW_BAD_LINK');
    assert.equal(answer.headers['set-cookie'], undefined);
  });

  it('refuses a link used once already (one that leaked from the victim’s history)', async () => {
    const link = await askPreviewLink(platform.url, learnerOf(victim), PORT);
    assert.equal((await previewRequest(link.body.url)).status, 303);
    const replay = await previewRequest(link.body.url);
    assert.equal(replay.status, 403);
    assert.equal(codeOf(replay), 'PREVIEW_BAD_LINK');
    assert.equal(replay.headers['set-cookie'], undefined);
  });

  it('refuses an expired link', async () => {
    const link = await askPreviewLink(platform.url, learnerOf(victim), PORT);
    now += LINK_LIFETIME_MS + 1000;
    try {
      const late = await previewRequest(link.body.url);
      assert.equal(late.status, 403);
      assert.match(JSON.parse(late.body).error.message, /expired/);
    } finally {
      now = Date.now();
    }
  });

  it('refuses a request with no cookie, or a made-up one, on the victim’s host', async () => {
    const link = await askPreviewLink(platform.url, learnerOf(victim), PORT);
    for (const cookie of [undefined, `drydock_preview=${'x'.repeat(43)}`]) {
      const answer = await previewRequest(`${link.body.origin}/`, {
        headers: cookie ? { cookie } : {},
      });
      assert.equal(answer.status, 403, String(cookie));
      assert.doesNotMatch(answer.body, new RegExp(SECRET));
    }
  });

  it('reaches nothing but the attacker’s own sandbox: not the lab server’s port, the host’s, or a honeypot', async () => {
    const serverPort = Number(new URL(platform.url).port);
    knocks.length = 0;
    for (const port of [serverPort, honeypotPort, 22, 2375, 5432]) {
      const link = await askPreviewLink(platform.url, learnerOf(attacker), port);
      assert.equal(link.status, 409, `port ${port}: ${JSON.stringify(link.body)}`);
      assert.equal(link.body.error?.code, 'PORT_CLOSED');
    }
    assert.deepEqual(knocks, [], 'the honeypot saw no connection');
  });

  it('keeps an absolute-form request target inside the sandbox', async () => {
    const mine = await openPreview(platform.url, learnerOf(attacker), PORT);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // `GET http://127.0.0.1:<server>/api/status`: a proxy that followed the target would ask the lab server.
      import('node:http').then(({ request }) => {
        const host = new URL(mine.origin).host;
        request(
          {
            host: '127.0.0.1',
            port: Number(new URL(platform.url).port),
            path: `${platform.url}/api/status`,
            headers: { host, cookie: mine.cookie },
          },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
          .on('error', reject)
          .end();
      });
    });
    assert.doesNotMatch(
      answer.body,
      /"labs"/,
      'the lab server’s API did not answer through the preview',
    );
  });

  it('forgets the victim’s preview once their session ends', async () => {
    const { origin, cookie } = await openPreview(platform.url, learnerOf(victim), PORT);
    await platform.sessions.end(victim, 'stopped');
    const answer = await previewRequest(`${origin}/`, { headers: { cookie } });
    assert.equal(answer.status, 404);
    assert.equal(codeOf(answer), 'PREVIEW_NOT_FOUND');
  });
});

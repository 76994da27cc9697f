/**
 * Previews through a real sandbox: a container the learner runs in their own
 * engine with a published port (`docker run -p`) is previewed like any server,
 * a large answer arrives whole, and no forwarder outlives its connection.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import { asLearner, readySessions } from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { localhostLookup, openPreview, previewRequest } from '../support/preview.ts';

const LAB = 'named-volume-masks-image';
const PORT = 8091;

/** GETs `url` and hashes the body as it streams in. */
const sha256Of = (url: string, cookie: string) =>
  new Promise<{ status: number; sha256: string; bytes: number }>((resolve, reject) => {
    request(url, { headers: { cookie }, lookup: localhostLookup }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), bytes }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });

describe('a preview of a container’s published port', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let session: Session;
  let preview: { origin: string; cookie: string };

  before(async () => {
    platform = await startPlatform({}, { listen: true });
    [session] = await readySessions(platform, LAB, 1);
    const started = await asLearner(
      session,
      `docker run -d --name web -p ${PORT}:80 drydock/lab-base sh -c 'mkdir -p /www && head -c 4000000 /dev/urandom > /www/big.bin && echo "<h1>from a container</h1>" > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
       for i in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:${PORT}/ && exit 0; sleep 0.2; done; exit 1`,
      { timeoutMs: 60_000 },
    );
    assert.equal(started.exitCode, 0, `the container's server did not answer: ${started.output}`);
    preview = await openPreview(platform.url, { id: session.id, token: session.token! }, PORT);
  });
  after(async () => {
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  it('shows the container’s page', async () => {
    const page = await previewRequest(`${preview.origin}/`, {
      headers: { cookie: preview.cookie },
    });
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>from a container<\/h1>/);
  });

  it('delivers a 4 MB answer byte for byte', async () => {
    const inside = await asLearner(session, 'docker exec web sha256sum /www/big.bin');
    const expected = inside.output.split(/\s+/)[0];
    const got = await sha256Of(`${preview.origin}/big.bin`, preview.cookie);
    assert.equal(got.status, 200);
    assert.equal(got.bytes, 4_000_000);
    assert.equal(got.sha256, expected);
  });

  it('leaves no forwarder running once the app closes its connections', async () => {
    const forwarderCount = async () =>
      (
        await session.sandbox!.exec(['sh', '-c', 'pgrep -c -x perl || true'], {
          as: 'check',
          timeoutMs: 10_000,
        })
      ).output.trim();
    // The control: an open connection is a forwarder this count sees.
    const open = await session.sandbox!.openPort(PORT, 10_000);
    assert.equal(await forwarderCount(), '1');
    open.destroy();
    // busybox httpd closes each connection after its answer (no keep-alive).
    for (let i = 0; i < 10; i++) {
      const page = await previewRequest(`${preview.origin}/?n=${i}`, {
        headers: { cookie: preview.cookie },
      });
      assert.equal(page.status, 200);
    }
    let forwarders = '';
    for (let i = 0; i < 50; i++) {
      forwarders = await forwarderCount();
      if (forwarders === '0' && platform.app.previews!.connectionsOpen === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(forwarders, '0', 'no perl forwarder left in the sandbox');
    assert.equal(platform.app.previews!.connectionsOpen, 0);
  });
});

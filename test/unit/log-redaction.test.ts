/**
 * A session's token grants its sandbox to whoever holds it, so it must never
 * reach a log file, at any level. The server runs at `trace` (every request
 * line, URLs included) listening on a real port; a learner's whole session
 * goes through it, the terminal WebSocket with `?token=` in its URL included;
 * every line written is kept and searched. Sandboxes are in-memory
 * (test/support/fake-sandbox.ts): the logging under test is the server's own.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

describe('log redaction', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  let platform: FakePlatform;
  let url: string;

  before(async () => {
    platform = await startFakePlatform(
      { DRYDOCK_LOG_LEVEL: 'trace' },
      { logger: { level: 'trace', stream } },
    );
    url = await platform.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => platform.close());

  it('writes no line with a session’s token (or its hash) through create, terminal, check, extend and end', async () => {
    const created = await fetch(`${url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lab: 'tiny-lab' }),
    });
    assert.equal(created.status, 201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    await platform.app.sessions.get(id, token).provisioned;
    const auth = { authorization: `Bearer ${token}` };

    const ws = new WebSocket(
      `${url.replace('http', 'ws')}/api/sessions/${id}/terminal?token=${token}&cols=100&rows=30`,
    );
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary && (JSON.parse(data.toString()) as { type: string }).type === 'ready')
          resolve();
      });
      ws.on('error', reject);
    });
    ws.send(Buffer.from('echo hello'));
    ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    ws.send('not json: ignored at debug level');
    // A second, refused connection: the token travels in a URL that is refused.
    const refused = new WebSocket(
      `${url.replace('http', 'ws')}/api/sessions/${id}/terminal?token=${token}`,
      {
        origin: 'https://elsewhere.example',
      },
    );
    await new Promise((resolve) => refused.on('close', resolve));

    for (const [method, path] of [
      ['GET', `/api/sessions/${id}`],
      ['POST', `/api/sessions/${id}/check`],
      ['POST', `/api/sessions/${id}/extend`],
      ['GET', `/api/sessions/${id}/terminal?token=${token}`],
      ['GET', `/api/no-such-route?token=${token}`],
      ['GET', `/no-such-page?token=${token}`],
    ] as const) {
      await fetch(`${url}${path}`, { method, headers: auth });
    }
    ws.close();
    await new Promise((resolve) => ws.on('close', resolve));
    assert.equal(
      (await fetch(`${url}/api/sessions/${id}`, { method: 'DELETE', headers: auth })).status,
      204,
    );
    await platform.app.close();

    const hash = createHash('sha256').update(token).digest('hex');
    const leaks = lines.filter((line) => line.includes(token) || line.includes(hash));
    assert.deepEqual(leaks, [], 'log lines that carry the token or its hash');
    // Not vacuous: the terminal's URL was logged, with its token cut out.
    assert.ok(
      lines.some((line) => line.includes(`/api/sessions/${id}/terminal?token=[redacted]&cols=100`)),
      'the terminal request was logged at trace level with its token redacted',
    );
    assert.ok(lines.some((line) => line.includes('"session ended"')));
  });
});

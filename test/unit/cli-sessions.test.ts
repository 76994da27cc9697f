/**
 * `drydock sessions` against a real listening server (sandboxes are the
 * in-memory fake): list, extend and end through the admin API, and the
 * refusals an operator meets (wrong token, no server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { drydock } from '../support/cli.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const TOKEN = 'cli-test-token-0123456789abcdef';

describe('drydock sessions', () => {
  let platform: FakePlatform;
  let url: string;
  let session: { id: string; token: string };
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_ADMIN_TOKEN: TOKEN });
    url = await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const res = await platform.app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    session = res.json();
    await platform.app.sessions.find(session.id)!.provisioned;
  });
  after(() => platform.close());

  const cli = (args: string[], token = TOKEN) =>
    drydock(['sessions', '--url', url, ...args], { DRYDOCK_ADMIN_TOKEN: token });

  it('lists the server’s sessions as a table and as JSON', async () => {
    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+LAB\s+STATE/);
    assert.match(table.stdout, new RegExp(`${session.id}\\s+tiny-lab\\s+ready`));
    const json = await cli(['list', '--json']);
    const listed = (JSON.parse(json.stdout) as { id: string; lab: string }[]).find(
      (s) => s.id === session.id,
    );
    assert.equal(listed?.lab, 'tiny-lab');
  });

  it('extends a session by the minutes given', async () => {
    const before = platform.app.sessions.find(session.id)!.expiresAt.getTime();
    const run = await cli(['extend', session.id, '--minutes', '20', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      Date.parse((JSON.parse(run.stdout) as { expiresAt: string }).expiresAt) - before,
      20 * 60_000,
    );
  });

  it('refuses with the server’s reason and exit 1 when the token is wrong', async () => {
    const run = await cli(['list'], `${TOKEN}-wrong`);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /401 ADMIN_UNAUTHORIZED: The admin token is wrong/);
  });

  it('says which session is unknown', async () => {
    const run = await cli(['end', 's_AAAAAAAAAAAA']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /404 SESSION_NOT_FOUND: No session has the id s_AAAAAAAAAAAA/);
  });

  it('ends a session, which its learner then sees as ended by the operator', async () => {
    const run = await cli(['end', session.id]);
    assert.equal(run.code, 0, run.stderr);
    const seen = await platform.app.inject({
      url: `/api/sessions/${session.id}`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(seen.json().endReason, 'operator');
  });

  it('says plainly when no server answers', async () => {
    const run = await drydock(['sessions', '--url', 'http://127.0.0.1:1', 'list'], {
      DRYDOCK_ADMIN_TOKEN: TOKEN,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no Drydock server answers at http:\/\/127\.0\.0\.1:1/);
  });
});

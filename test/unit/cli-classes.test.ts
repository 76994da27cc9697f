/**
 * `drydock classes` against a real listening server (sandboxes are the
 * in-memory fake): list, show, staff and end through the admin API, a hostile display
 * name printed inert, and the refusals an operator meets (a malformed id, an
 * unknown one, a wrong token).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { drydock } from '../support/cli.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const TOKEN = 'cli-test-token-0123456789abcdef';
const HOUR = 3_600_000;

describe('drydock classes', () => {
  let platform: FakePlatform;
  let url: string;
  let made: { id: string; joinCode: string };
  let learner: string;
  let cookie: string;
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_ADMIN_TOKEN: TOKEN });
    const { app } = platform;
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    const username = `teacher-${randomBytes(3).toString('hex')}`;
    const password = 'a long enough passphrase';
    await app.accounts.users.add({ username, role: 'instructor', password });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password },
    });
    cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const res = await app.inject({
      method: 'POST',
      url: '/api/classes',
      headers: { cookie },
      payload: {
        name: 'Friday workshop',
        labs: ['tiny-lab'],
        opensAt: new Date(Date.now() - HOUR).toISOString(),
        closesAt: new Date(Date.now() + HOUR).toISOString(),
        expectedSize: 2,
      },
    });
    made = res.json();
    learner = randomBytes(16).toString('base64url');
    await app.inject({
      method: 'POST',
      url: '/api/join',
      headers: { 'x-drydock-learner': learner },
      payload: { code: made.joinCode, displayName: 'Mallory \u202eevil' },
    });
  });
  after(() => platform.close());

  const cli = (args: string[], token = TOKEN) =>
    drydock(['classes', '--url', url, ...args], { DRYDOCK_ADMIN_TOKEN: token });

  it('lists every class with its state, code and how many joined', async () => {
    const run = await cli(['list']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ID\s+STATE\s+OPENS\s+CODE/);
    const code = `${made.joinCode.slice(0, 4)}-${made.joinCode.slice(4)}`;
    assert.match(run.stdout, new RegExp(`${made.id}\\s+open\\s+.*${code}\\s+1/2\\s+teacher-`));
    const json = JSON.parse((await cli(['list', '--json'])).stdout) as { id: string }[];
    assert.ok(json.some((c) => c.id === made.id));
  });

  it('shows a class, whether the machine holds it, and its roster, a learner’s name quoted so it cannot rewrite the line', async () => {
    const run = await cli(['show', made.id]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Friday workshop/);
    assert.match(run.stdout, /learners: 1 joined of 2 expected/);
    // Whether the machine holds it (other tests' classes on a shared database may overlap it).
    assert.match(
      run.stdout,
      /room: {5}(Fits: 2 learners|Does not fit: 2 learners).*\(DRYDOCK_MAX_SANDBOXES=8 allows 8/,
    );
    assert.ok(run.stdout.includes('"Mallory \u202eevil"'), run.stdout);
  });

  it('refuses a malformed id (exit 2) and says which id is unknown (exit 1)', async () => {
    const malformed = await cli(['show', 'friday']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /"friday" is not a class id/);
    const unknown = await cli(['end', 'c_AAAAAAAAAAAA']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 CLASS_NOT_FOUND/);
    const wrong = await cli(['list'], `${TOKEN}-wrong`);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /401 ADMIN_UNAUTHORIZED/);
  });

  it('lists who helps in a class, and whether each may watch terminals', async () => {
    const none = await cli(['staff', made.id]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /nobody helps in this class/);
    const helper = `helper-${randomBytes(3).toString('hex')}`;
    await platform.app.accounts.users.add({
      username: helper,
      role: 'assistant',
      displayName: 'Asa Helper',
      password: 'a long enough passphrase',
    });
    const granted = await platform.app.inject({
      method: 'POST',
      url: `/api/classes/${made.id}/staff`,
      headers: { cookie },
      payload: { username: helper, mayWatch: true },
    });
    assert.equal(granted.statusCode, 201, granted.body);
    const run = await cli(['staff', made.id]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^USERNAME\s+ROLE\s+WATCH\s+SINCE\s+NAME/);
    assert.match(run.stdout, new RegExp(`${helper}\\s+assistant\\s+yes\\s+.*Asa Helper`));
    const json = JSON.parse((await cli(['staff', made.id, '--json'])).stdout) as {
      username: string;
    }[];
    assert.deepEqual(
      json.map((s) => s.username),
      [helper],
    );
  });

  it('ends a class: its members’ sandboxes go and its code stops working', async () => {
    const start = await platform.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'x-drydock-learner': learner },
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(start.statusCode, 201, start.body);
    const run = await cli(['end', made.id]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`ended ${made.id} \\(Friday workshop\\): 1 session ended`));
    assert.equal(platform.app.sessions.find(start.json().id)?.endReason, 'class');
    const join = await platform.app.inject({ url: `/api/join/${made.joinCode}` });
    assert.equal(join.statusCode, 410);
  });
});

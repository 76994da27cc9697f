/**
 * Staff sign-in over HTTP (/api/auth) and the admin API for a signed-in admin:
 * what a browser is told and keeps (the cookie and its flags), and every
 * refusal: a wrong password and an unknown user alike, a disabled account, too
 * many attempts per address and per username, another site's page, a signed-out
 * or expired sign-in, and an instructor at the admin API.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { tokenHash } from '../../lab-server/accounts/sign-ins.ts';
import {
  FAILED_SIGN_INS_PER_USERNAME,
  SIGN_INS_PER_CLIENT_PER_MINUTE,
} from '../../lab-server/routes/auth.ts';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';

const PASSWORD = 'a long enough passphrase';
const ADMIN_TOKEN = 'operator-secret-0123456789abcdef';
const COOKIE = 'drydock-sign-in';

let addresses = 0;
/** A client address of its own, so one test's attempts do not count against another's. */
const freshIp = () => `10.9.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;
const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

const signIn = (
  app: FastifyInstance,
  username: string,
  password: string,
  extra: { ip?: string; origin?: string; host?: string; cookie?: string } = {},
) =>
  app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    remoteAddress: extra.ip ?? freshIp(),
    headers: {
      ...(extra.origin ? { origin: extra.origin } : {}),
      ...(extra.host ? { host: extra.host } : {}),
      ...(extra.cookie ? { cookie: extra.cookie } : {}),
    },
    payload: { username, password },
  });

/** The cookie pair (`name=value`) a browser would send back after this answer. */
function cookieFrom(res: LightMyRequestResponse): string {
  const header = String(res.headers['set-cookie']);
  return header.split(';')[0]!;
}

const me = (app: FastifyInstance, cookie?: string) =>
  app.inject({ url: '/api/auth/me', headers: cookie ? { cookie } : {} });

describe('staff sign-in', () => {
  let platform: FakePlatform;
  let app: FastifyInstance;
  const account = async (role: 'admin' | 'instructor' | 'assistant' = 'instructor') => {
    const username = unique(role);
    await app.accounts.users.add({
      username,
      role,
      displayName: `Test ${role}`,
      password: PASSWORD,
    });
    return username;
  };
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_ADMIN_TOKEN: ADMIN_TOKEN });
    app = platform.app;
  });
  after(() => platform.close());

  it('signs in with the right password: who, until when, and an HttpOnly SameSite=Lax cookie', async () => {
    const username = await account('instructor');
    const res = await signIn(app, username.toUpperCase(), PASSWORD);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ signedIn: boolean; user: object; expiresAt: string }>();
    assert.deepEqual(body.user, { username, displayName: 'Test instructor', role: 'instructor' });
    assert.ok(Date.parse(body.expiresAt) - Date.now() > 11 * 3_600_000);
    const header = String(res.headers['set-cookie']);
    assert.match(header, new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43}; `));
    for (const flag of ['HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=43200'])
      assert.ok(header.split('; ').includes(flag), `${flag} in ${header}`);
    assert.ok(!header.includes('Secure'), 'plain http: a Secure cookie would never come back');
    assert.equal(res.headers['cache-control'], 'no-store');

    const seen = await me(app, cookieFrom(res));
    assert.deepEqual(seen.json(), body);
  });

  it('answers "not signed in" (200) without a cookie or with a cookie that signs nobody in', async () => {
    assert.deepEqual((await me(app)).json(), { signedIn: false });
    const bogus = await me(app, `${COOKIE}=${'A'.repeat(43)}`);
    assert.deepEqual(bogus.json(), { signedIn: false });
    assert.match(String(bogus.headers['set-cookie']), new RegExp(`^${COOKIE}=; .*Max-Age=0`));
  });

  it('refuses a wrong password and an unknown username with the same answer, in similar time', async () => {
    const username = await account();
    const timed = async (name: string, password: string) => {
      const start = performance.now();
      const res = await signIn(app, name, password);
      return { res, ms: performance.now() - start };
    };
    const wrong = await timed(username, 'not the password at all');
    const unknown = await timed(unique('nobody'), 'not the password at all');
    for (const { res } of [wrong, unknown]) {
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assert.deepEqual(wrong.res.json(), unknown.res.json());
    assert.equal(wrong.res.json().error.code, 'SIGN_IN_FAILED');
    assert.ok(
      unknown.ms > wrong.ms / 3,
      `an unknown user took ${unknown.ms} ms, a wrong password ${wrong.ms} ms`,
    );
  });

  it('refuses a disabled account (403 with the reason, only for the right password) and ends its sign-ins', async () => {
    const username = await account();
    const cookie = cookieFrom(await signIn(app, username, PASSWORD));
    await app.accounts.users.setDisabled(username, true);
    assert.deepEqual((await me(app, cookie)).json(), { signedIn: false });
    const res = await signIn(app, username, PASSWORD);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'ACCOUNT_DISABLED');
    assert.match(res.json().error.message, /disabled.*operator/);
    assert.equal(
      (await signIn(app, username, 'not the password!')).json().error.code,
      'SIGN_IN_FAILED',
    );
  });

  it('refuses a malformed body with the reason', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: freshIp(),
      payload: { username: 'ada' },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /password/);
  });

  it(`limits one address to ${SIGN_INS_PER_CLIENT_PER_MINUTE} attempts a minute, right or wrong`, async () => {
    const username = await account();
    const ip = freshIp();
    // Other usernames each time: this is the address's limit, not the username's.
    for (let i = 0; i < SIGN_INS_PER_CLIENT_PER_MINUTE; i++)
      assert.equal(
        (await signIn(app, unique('guess'), 'wrong password!!', { ip })).statusCode,
        401,
      );
    const res = await signIn(app, username, PASSWORD, { ip });
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().error.code, 'RATE_LIMITED');
    assert.match(res.json().error.message, /from your address/);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal((await signIn(app, username, PASSWORD)).statusCode, 200, 'another address may');
  });

  it(`limits one username to ${FAILED_SIGN_INS_PER_USERNAME} wrong passwords, from any addresses`, async () => {
    const username = await account();
    for (let i = 0; i < FAILED_SIGN_INS_PER_USERNAME; i++)
      assert.equal((await signIn(app, username, 'wrong password!!')).statusCode, 401);
    const res = await signIn(app, username, PASSWORD);
    assert.equal(res.statusCode, 429);
    assert.match(res.json().error.message, /for this username/);
    assert.equal((await signIn(app, await account(), PASSWORD)).statusCode, 200, 'others may');
  });

  it('counts unknown usernames like real ones, so the limit tells nothing either', async () => {
    const ghost = unique('ghost');
    for (let i = 0; i < FAILED_SIGN_INS_PER_USERNAME; i++)
      await signIn(app, ghost, 'wrong password!!');
    assert.equal((await signIn(app, ghost, 'wrong password!!')).statusCode, 429);
  });

  it('refuses a sign-in posted from another site’s page', async () => {
    const username = await account();
    const res = await signIn(app, username, PASSWORD, { origin: 'https://evil.example' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'ORIGIN_REFUSED');
    assert.equal(res.headers['set-cookie'], undefined);
    const own = await signIn(app, username, PASSWORD, {
      origin: 'http://drydock.test:4400',
      host: 'drydock.test:4400',
    });
    assert.equal(own.statusCode, 200, 'a page from the host it was sent to may');
  });

  it('signs out: the cookie is cleared, and the old token signs nobody in any more', async () => {
    const username = await account('admin');
    const cookie = cookieFrom(await signIn(app, username, PASSWORD));
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie },
    });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), new RegExp(`^${COOKIE}=; .*Max-Age=0`));
    assert.deepEqual((await me(app, cookie)).json(), { signedIn: false });
    const adminApi = await app.inject({ url: '/api/admin/sessions', headers: { cookie } });
    assert.equal(adminApi.statusCode, 401, 'a kept copy of the cookie is worth nothing');
  });

  it('treats an expired or long-unused sign-in as signed out', async () => {
    const username = await account('admin');
    const user = await app.accounts.users.find(username);
    const now = Date.now();
    for (const [expiresAt, lastSeenAt] of [
      [now - 1000, now - 60_000],
      [now + 3_600_000, now - 3 * 3_600_000],
    ] as const) {
      const token = randomBytes(32).toString('base64url');
      await app.store.accounts.addSignIn({
        tokenHash: tokenHash(token),
        userId: user.id,
        method: 'password',
        createdAt: now - 11 * 3_600_000,
        expiresAt,
        lastSeenAt,
      });
      const cookie = `${COOKIE}=${token}`;
      assert.deepEqual((await me(app, cookie)).json(), { signedIn: false });
      const adminApi = await app.inject({ url: '/api/admin/sessions', headers: { cookie } });
      assert.equal(adminApi.statusCode, 401);
    }
  });

  describe('the admin API with a sign-in', () => {
    it('accepts a signed-in admin', async () => {
      const cookie = cookieFrom(await signIn(app, await account('admin'), PASSWORD));
      const res = await app.inject({ url: '/api/admin/sessions', headers: { cookie } });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(Array.isArray(res.json().sessions));
    });

    for (const role of ['instructor', 'assistant'] as const) {
      it(`refuses a signed-in ${role} with 403 and the role it needs`, async () => {
        const cookie = cookieFrom(await signIn(app, await account(role), PASSWORD));
        const res = await app.inject({ url: '/api/admin/pools', headers: { cookie } });
        assert.equal(res.statusCode, 403);
        assert.equal(res.json().error.code, 'ROLE_REQUIRED');
        assert.match(res.json().error.message, new RegExp(`needs the role admin; .* is ${role}`));
      });
    }

    it('refuses an admin’s cookie on a change sent from another site’s page', async () => {
      const cookie = cookieFrom(await signIn(app, await account('admin'), PASSWORD));
      const res = await app.inject({
        method: 'DELETE',
        url: '/api/admin/sessions/s_AAAAAAAAAAAA',
        headers: { cookie, origin: 'https://evil.example' },
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'ORIGIN_REFUSED');
    });

    it('still takes the operator’s token, and still refuses nobody with 401', async () => {
      const token = await app.inject({
        url: '/api/admin/sessions',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(token.statusCode, 200);
      const nobody = await app.inject({ url: '/api/admin/sessions' });
      assert.equal(nobody.statusCode, 401);
      assert.match(nobody.json().error.message, /or a signed-in admin/);
    });
  });
});

describe('staff sign-in behind https', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform({ DRYDOCK_PUBLIC_URL: 'https://drydock.example.org' });
  });
  after(() => platform.close());

  it('sets a Secure cookie with the __Host- prefix, and reads it back', async () => {
    const { app } = platform;
    const username = unique('tls');
    await app.accounts.users.add({ username, role: 'admin', password: PASSWORD });
    const res = await signIn(app, username, PASSWORD, { origin: 'https://drydock.example.org' });
    assert.equal(res.statusCode, 200, res.body);
    const header = String(res.headers['set-cookie']);
    assert.match(header, /^__Host-drydock-sign-in=/);
    assert.ok(header.split('; ').includes('Secure'));
    assert.equal((await me(app, cookieFrom(res))).json().signedIn, true);
    const foreign = await signIn(app, username, PASSWORD, { origin: 'http://drydock.example.org' });
    assert.equal(foreign.statusCode, 403, 'only the public origin, scheme included');
  });
});

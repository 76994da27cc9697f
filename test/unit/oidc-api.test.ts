/**
 * Staff sign-in through an OpenID provider, over HTTP, against a real provider
 * (test/support/oidc-provider.ts, oidc-provider on a local port) and the lab
 * server's real openid-client: a person's groups become their role (the
 * highest wins), and the sign-in is the same cookie a password gives, so the
 * admin API takes it unchanged. Then every refusal: no mapped group, a
 * disabled user, a state that is not this browser's, a code delivered twice,
 * a missing or expired flow, the provider's own "no", a target off-site, a
 * provider that cannot be reached, and a server with no provider at all.
 * Runs against the lane's store (SQLite, or PostgreSQL in the postgres lane).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type FakePlatform, startFakePlatform } from '../support/fake-sandbox.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { CookieJar, oidcSignIn, throughProvider, visit } from '../support/oidc-sign-in.ts';

/** A lab server is never listened on here: the provider sends the browser to this name, the test delivers by inject. */
const PUBLIC_URL = 'http://drydock.test:4400/';
const CALLBACK = `${PUBLIC_URL}api/auth/oidc/callback`;
const SIGN_IN_COOKIE = 'drydock-sign-in';
/** Each flow's cookie is this and the start of its state. */
const FLOW_COOKIE = 'drydock-oidc-';

/** The one flow cookie in `jar`: its name, and the flow it holds. */
function flowIn(jar: CookieJar) {
  const names = [...jar.cookies.keys()].filter((name) => name.startsWith(FLOW_COOKIE));
  assert.equal(names.length, 1, `one flow cookie in ${names.join(', ')}`);
  const name = names[0]!;
  const value = jar.cookies.get(name)!;
  return {
    name,
    value,
    flow: JSON.parse(Buffer.from(value, 'base64url').toString()) as Record<string, unknown>,
  };
}
const hasFlow = (jar: CookieJar) =>
  [...jar.cookies.keys()].some((name) => name.startsWith(FLOW_COOKIE));

const login = (username: string) => ({ username, password: `${username}-password` });

const refusalOf = (res: { statusCode: number; headers: Record<string, unknown> }) => {
  assert.equal(res.statusCode, 303);
  const location = String(res.headers.location);
  const match = /^\/sign-in\/\?oidc-error=([A-Z_]+)$/.exec(location);
  assert.ok(match, `a refusal goes back to the sign-in page, not to ${location}`);
  return match[1];
};

describe('staff sign-in with OpenID Connect', () => {
  let provider: TestProvider;
  let platform: FakePlatform;
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  before(async () => {
    provider = await startTestProvider([CALLBACK]);
    platform = await startFakePlatform(
      { ...provider.env(PUBLIC_URL), DRYDOCK_LOG_LEVEL: 'trace' },
      { logger: { level: 'trace', stream } },
    );
  });
  after(async () => {
    await platform?.close();
    await provider?.close();
  });

  it('tells the sign-in page that a provider is offered, and under which name', async () => {
    const res = await platform.app.inject({ url: '/api/auth/methods' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      password: true,
      oidc: { label: 'Example login', start: '/api/auth/oidc/start' },
    });
  });

  it('signs in a member of two mapped groups with the higher role, and leads where they were going', async () => {
    const jar = new CookieJar();
    const res = await oidcSignIn(platform.app, jar, 'ada', 'ada-password', '/labs/?x=1');
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/labs/?x=1');
    assert.equal(res.headers['cache-control'], 'no-store');
    const cookies = [res.headers['set-cookie']].flat().map(String);
    assert.ok(
      cookies.some((c) => /^drydock-oidc-[\w-]{16}=;/.test(c) && c.includes('Max-Age=0')),
      'the flow cookie is cleared',
    );
    const signIn = cookies.find((c) => c.startsWith(`${SIGN_IN_COOKIE}=`))!;
    for (const flag of ['HttpOnly', 'SameSite=Lax', 'Path=/'])
      assert.ok(signIn.split('; ').includes(flag), `${flag} in ${signIn}`);

    const me = await visit(platform.app, jar, '/api/auth/me');
    assert.deepEqual(
      { ...me.json<object>(), expiresAt: undefined },
      {
        signedIn: true,
        user: { username: provider.usernameOf('ada'), displayName: 'Ada Lovelace', role: 'admin' },
        method: 'oidc',
        expiresAt: undefined,
      },
    );
    // requireRole, unchanged, takes the sign-in.
    const admin = await visit(platform.app, jar, '/api/admin/sessions');
    assert.equal(admin.statusCode, 200, admin.body);
    const user = await platform.app.accounts.users.find(provider.usernameOf('ada'));
    assert.equal(user.passwordHash, null, 'no password: only the provider signs ada in');
    const listed = (await platform.app.accounts.users.list()).find((u) => u.id === user.id);
    assert.equal(listed?.oidcIssuer, provider.issuer, '`drydock users list` says how they sign in');
  });

  it('leads home when no target was given', async () => {
    const res = await oidcSignIn(platform.app, new CookieJar(), 'grace', 'grace-password');
    assert.equal(res.headers.location, '/');
  });

  it('sets the role from the groups again at each sign-in, and ends sign-ins of a person left with no mapped group', async () => {
    const jar = new CookieJar();
    await oidcSignIn(platform.app, jar, 'grace', 'grace-password');
    assert.equal((await visit(platform.app, jar, '/api/auth/me')).json().user.role, 'instructor');
    const grace = provider.usernameOf('grace');
    const id = (await platform.app.accounts.users.find(grace)).id;

    provider.users.grace!.groups = ['helpers'];
    const again = new CookieJar();
    await oidcSignIn(platform.app, again, 'grace', 'grace-password');
    const me = (await visit(platform.app, again, '/api/auth/me')).json();
    assert.equal(me.user.role, 'assistant');
    assert.equal(me.user.username, grace, 'the same user, found by issuer and subject');
    assert.equal((await platform.app.accounts.users.find(grace)).id, id);

    provider.users.grace!.groups = ['marketing'];
    const refused = await oidcSignIn(platform.app, new CookieJar(), 'grace', 'grace-password');
    assert.equal(refusalOf(refused), 'NO_ROLE');
    assert.deepEqual((await visit(platform.app, jar, '/api/auth/me')).json(), { signedIn: false });
    assert.deepEqual((await visit(platform.app, again, '/api/auth/me')).json(), {
      signedIn: false,
    });
    provider.users.grace!.groups = ['trainers'];
  });

  it('refuses a person none of whose groups is mapped, without making them a user', async () => {
    const jar = new CookieJar();
    const res = await oidcSignIn(platform.app, jar, 'mallory', 'mallory-password');
    assert.equal(refusalOf(res), 'NO_ROLE');
    assert.ok(!jar.cookies.has(SIGN_IN_COOKIE), 'nobody is signed in');
    const users = await platform.app.accounts.users.list();
    assert.ok(!users.some((u) => u.username.startsWith(provider.usernameOf('mallory'))));
    const line = lines.find(
      (l) => l.includes('OpenID sign-in refused') && l.includes(provider.usernameOf('mallory')),
    );
    assert.ok(line, `the log says why: ${lines.filter((l) => l.includes('refused')).join('\n')}`);
    assert.match(line, /"groups":\["marketing","everyone"\]/, 'and which groups the person had');
  });

  it('refuses a user the operator disabled, and their sign-ins end at once', async () => {
    const jar = new CookieJar();
    await oidcSignIn(platform.app, jar, 'linus', 'linus-password');
    assert.equal((await visit(platform.app, jar, '/api/auth/me')).json().user.role, 'assistant');
    await platform.app.accounts.users.setDisabled(provider.usernameOf('linus'), true);
    assert.deepEqual((await visit(platform.app, jar, '/api/auth/me')).json(), { signedIn: false });
    const res = await oidcSignIn(platform.app, new CookieJar(), 'linus', 'linus-password');
    assert.equal(refusalOf(res), 'ACCOUNT_DISABLED');
    await platform.app.accounts.users.setDisabled(provider.usernameOf('linus'), false);
    const back = await oidcSignIn(platform.app, new CookieJar(), 'linus', 'linus-password');
    assert.equal(back.headers.location, '/');
  });

  it('never signs a provider’s user into a local account of the same name', async () => {
    const hopper = provider.usernameOf('hopper');
    await platform.app.accounts.users.add({
      username: hopper,
      role: 'assistant',
      password: 'a long enough passphrase',
    });
    provider.users.hopper = {
      password: 'hopper-password',
      name: 'Grace B. Hopper',
      email: 'hopper@example.org',
      groups: ['drydock-admins'],
    };
    const jar = new CookieJar();
    await oidcSignIn(platform.app, jar, 'hopper', 'hopper-password');
    const me = (await visit(platform.app, jar, '/api/auth/me')).json();
    assert.match(me.user.username, new RegExp(`^${hopper.replace('.', '\\.')}-[0-9a-f]{6}$`));
    assert.equal(me.user.role, 'admin');
    assert.equal((await platform.app.accounts.users.find(hopper)).role, 'assistant');
  });

  it('refuses an answer whose state is not the one this browser’s flow holds', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, login('ada'));
    callback.searchParams.set('state', 'A'.repeat(43));
    const res = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(refusalOf(res), 'STATE_MISMATCH');
    assert.ok(!jar.cookies.has(SIGN_IN_COOKIE));
  });

  it('refuses a code delivered a second time, even with the flow cookie kept', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, login('ada'));
    const { name, value } = flowIn(jar);
    const first = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(first.headers.location, '/');
    assert.ok(!hasFlow(jar), 'the flow is over');
    const again = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(refusalOf(again), 'FLOW_EXPIRED', 'in the same browser, the flow is gone');
    const thief = new CookieJar();
    thief.cookies.set(name, value);
    const replay = await visit(platform.app, thief, callback.pathname + callback.search);
    assert.equal(refusalOf(replay), 'CODE_REFUSED');
    assert.ok(!thief.cookies.has(SIGN_IN_COOKIE));
  });

  it('refuses an answer in a browser that started no sign-in, or started it too long ago', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, login('ada'));
    const path = callback.pathname + callback.search;
    const elsewhere = await visit(platform.app, new CookieJar(), path);
    assert.equal(refusalOf(elsewhere), 'FLOW_EXPIRED');

    const { name, flow } = flowIn(jar);
    const stale = new CookieJar();
    stale.cookies.set(
      name,
      Buffer.from(JSON.stringify({ ...flow, at: Date.now() - 11 * 60_000 })).toString('base64url'),
    );
    assert.equal(refusalOf(await visit(platform.app, stale, path)), 'FLOW_EXPIRED');
    assert.ok(!hasFlow(stale), 'and the stale cookie is cleared');
    const garbled = new CookieJar();
    garbled.cookies.set(name, 'not-a-flow');
    assert.equal(refusalOf(await visit(platform.app, garbled, path)), 'FLOW_EXPIRED');
  });

  it('completes two sign-ins begun in one browser (two tabs), in either order', async () => {
    const jar = new CookieJar();
    const first = await throughProvider(platform.app, jar, login('ada'), '/first/');
    const second = await throughProvider(platform.app, jar, login('ada'), '/second/');
    const late = await visit(platform.app, jar, second.callback.pathname + second.callback.search);
    assert.equal(late.headers.location, '/second/');
    const early = await visit(platform.app, jar, first.callback.pathname + first.callback.search);
    assert.equal(early.headers.location, '/first/');
    assert.ok(!hasFlow(jar));
  });

  it('starts no flow for a browser’s prefetch of the start link', async () => {
    const res = await platform.app.inject({
      url: '/api/auth/oidc/start',
      headers: { 'sec-purpose': 'prefetch' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('refuses when the person cancels at the provider (its error response)', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, 'cancel');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const res = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(refusalOf(res), 'PROVIDER_REFUSED');
    assert.ok(!jar.cookies.has(SIGN_IN_COOKIE));
  });

  it('refuses to lead anywhere but a path on this site', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example', 'labs']) {
      const res = await visit(
        platform.app,
        new CookieJar(),
        `/api/auth/oidc/start?next=${encodeURIComponent(next)}`,
      );
      assert.equal(res.statusCode, 400, next);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, /path on this site/);
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('writes neither the client secret nor a code nor a flow’s secrets to the log, at trace', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, login('ada'));
    const { flow } = flowIn(jar);
    await visit(platform.app, jar, callback.pathname + callback.search);
    const log = lines.join('\n');
    assert.ok(
      lines.some((l) => l.includes('/api/auth/oidc/callback')),
      'requests are logged',
    );
    for (const secret of [
      provider.clientSecret,
      callback.searchParams.get('code')!,
      String(flow.verifier),
      String(flow.nonce),
    ])
      assert.ok(!log.includes(secret), `a secret in the log: ${secret.slice(0, 6)}…`);
  });
});

describe('staff sign-in with OpenID Connect behind https', () => {
  const publicUrl = 'https://drydock.example.org/';
  let provider: TestProvider;
  let platform: FakePlatform;
  before(async () => {
    provider = await startTestProvider([`${publicUrl}api/auth/oidc/callback`]);
    platform = await startFakePlatform(provider.env(publicUrl));
  });
  after(async () => {
    await platform?.close();
    await provider?.close();
  });

  it('keeps the flow and the sign-in in Secure __Host- cookies', async () => {
    const jar = new CookieJar();
    const { start, callback } = await throughProvider(platform.app, jar, login('grace'));
    assert.match(String(start.headers['set-cookie']), /^__Host-drydock-oidc-[\w-]{16}=.*; Secure$/);
    assert.equal(callback.origin, 'https://drydock.example.org');
    const res = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(res.headers.location, '/');
    const signIn = [res.headers['set-cookie']]
      .flat()
      .map(String)
      .find((c) => c.startsWith('__Host-drydock-sign-in='));
    assert.ok(signIn?.split('; ').includes('Secure'), String(res.headers['set-cookie']));
  });
});

describe('staff sign-in with a provider that puts the groups in the ID token', () => {
  let provider: TestProvider;
  let platform: FakePlatform;
  before(async () => {
    provider = await startTestProvider([CALLBACK], { groupsInIdToken: true });
    platform = await startFakePlatform(provider.env(PUBLIC_URL));
  });
  after(async () => {
    await platform?.close();
    await provider?.close();
  });

  it('maps them the same way', async () => {
    const jar = new CookieJar();
    const res = await oidcSignIn(platform.app, jar, 'grace', 'grace-password');
    assert.equal(res.headers.location, '/');
    assert.equal((await visit(platform.app, jar, '/api/auth/me')).json().user.role, 'instructor');
  });
});

describe('staff sign-in with a provider that cannot be reached', () => {
  let platform: FakePlatform;
  const lines: string[] = [];
  before(async () => {
    // A port nothing listens on: a provider that is down.
    const down = await startTestProvider([CALLBACK]);
    const env = down.env(PUBLIC_URL);
    await down.close();
    platform = await startFakePlatform(
      { ...env, DRYDOCK_LOG_LEVEL: 'info' },
      {
        logger: {
          level: 'info',
          stream: new Writable({
            write(chunk: Buffer, _encoding, done) {
              lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
              done();
            },
          }),
        },
      },
    );
  });
  after(() => platform?.close());

  it('starts all the same, logs why, and sends a person back to the sign-in page with the reason', async () => {
    const health = await platform.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const res = await visit(platform.app, new CookieJar(), '/api/auth/oidc/start');
    assert.equal(refusalOf(res), 'PROVIDER_UNREACHABLE');
    assert.ok(
      lines.some((l) => /discovery at http:\/\/127\.0\.0\.1:\d+.*unavailable/.test(l)),
      lines.join('\n'),
    );
    // The password form stays: the page still offers the provider, whose absence it explains.
    const methods = await platform.app.inject({ url: '/api/auth/methods' });
    assert.equal(methods.json().oidc.label, 'Example login');
  });
});

describe('staff sign-in with a provider that goes away between the login and the answer', () => {
  let provider: TestProvider;
  let platform: FakePlatform;
  before(async () => {
    provider = await startTestProvider([CALLBACK]);
    platform = await startFakePlatform(provider.env(PUBLIC_URL));
  });
  after(async () => {
    await platform?.close();
    await provider?.close();
  });

  it('sends the person back to the sign-in page with the reason when the code cannot be redeemed', async () => {
    const jar = new CookieJar();
    const { callback } = await throughProvider(platform.app, jar, login('ada'));
    await provider.close();
    const res = await visit(platform.app, jar, callback.pathname + callback.search);
    assert.equal(refusalOf(res), 'PROVIDER_UNREACHABLE');
    assert.ok(!jar.cookies.has(SIGN_IN_COOKIE));
  });
});

describe('a server without a provider', () => {
  let platform: FakePlatform;
  before(async () => {
    platform = await startFakePlatform();
  });
  after(() => platform?.close());

  it('offers passwords only, and answers both OpenID routes with 404 and the reason', async () => {
    const methods = await platform.app.inject({ url: '/api/auth/methods' });
    assert.deepEqual(methods.json(), { password: true });
    for (const url of ['/api/auth/oidc/start', '/api/auth/oidc/callback?code=x&state=y']) {
      const res = await platform.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'OIDC_NOT_CONFIGURED');
      assert.match(res.json().error.message, /DRYDOCK_OIDC_ISSUER/);
    }
  });
});

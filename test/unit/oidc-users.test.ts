/**
 * The users an OpenID provider signs in (lab-server/oidc/oidc-users.ts), on
 * the lane's store: one user per (issuer, subject) even when the first two
 * sign-ins race, usernames made from what the provider suggests without ever
 * taking a local account's name, and display names without control
 * characters. And the operator's `drydock users` on such a user: listed as
 * `oidc`, disabled like any account, with its sign-ins ended.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignIns } from '../../lab-server/accounts/sign-ins.ts';
import { OidcUsers, type VerifiedIdentity } from '../../lab-server/oidc/oidc-users.ts';
import { databaseTarget } from '../../lab-server/store/dialect.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';
import { drydock } from '../support/cli.ts';
import { openTestStore } from '../support/store.ts';

const ROLES = new Map([['trainers', 'instructor' as const]]);

describe('users signed in by a provider', () => {
  let store: SessionStore;
  let close: () => Promise<void>;
  let users: OidcUsers;
  // Its own issuer and names: a PostgreSQL lane shares its users table with other suites.
  const tag = randomBytes(3).toString('hex');
  const issuer = `https://login-${tag}.example.org`;
  const person = (subject: string, extra: Partial<VerifiedIdentity> = {}): VerifiedIdentity => ({
    issuer,
    subject,
    groups: ['trainers'],
    ...extra,
  });

  before(async () => {
    ({ store, close } = await openTestStore());
    users = new OidcUsers(store.accounts, ROLES);
  });
  after(() => close?.());

  it('makes one user of two first sign-ins that race', async () => {
    const identity = person('racer', { preferredUsername: `racer-${tag}` });
    const [a, b] = await Promise.all([users.signIn(identity), users.signIn(identity)]);
    assert.equal(a.outcome, 'ok');
    assert.equal(b.outcome, 'ok');
    assert.ok(a.outcome === 'ok' && b.outcome === 'ok' && a.user.id === b.user.id);
    const all = await store.accounts.users();
    assert.equal(all.filter((u) => u.username.startsWith(`racer-${tag}`)).length, 1);
  });

  it('makes a username from preferred_username, else the mail’s local part, and never reuses a taken one', async () => {
    const first = await users.signIn(person('s1', { preferredUsername: `Zoë Smith ${tag}` }));
    assert.ok(first.outcome === 'ok');
    assert.equal(first.user.username, `zoe-smith-${tag}`);
    const second = await users.signIn(person('s2', { preferredUsername: `zoe-smith-${tag}` }));
    assert.ok(second.outcome === 'ok');
    assert.match(second.user.username, new RegExp(`^zoe-smith-${tag}-[0-9a-f]{6}$`));
    const mail = await users.signIn(person('s3', { email: `m.${tag}@example.org` }));
    assert.ok(mail.outcome === 'ok');
    assert.equal(mail.user.username, `m.${tag}`);
  });

  it('keeps control characters out of display names', async () => {
    const result = await users.signIn(
      person('s4', { preferredUsername: `ctl-${tag}`, name: 'Eve\u001b[31m Red\n' }),
    );
    assert.ok(result.outcome === 'ok');
    assert.equal(result.user.displayName, 'Eve[31m Red');
  });
});

describe('drydock users, on a user a provider signed in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-oidc-users-'));
  const url = process.env.DRYDOCK_TEST_STORE_URL ?? `sqlite:${join(dir, 'store.sqlite')}`;
  const cli = (args: string[]) =>
    drydock(['users', ...args], { DRYDOCK_DATABASE_URL: url, DRYDOCK_STATE_DIR: dir });
  let store: SessionStore;
  before(async () => {
    store = await SessionStore.open(databaseTarget(url, dir));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists them as oidc, and disables them: their sign-ins end and the provider cannot sign them in', async () => {
    const tag = randomBytes(3).toString('hex');
    const users = new OidcUsers(store.accounts, ROLES);
    const identity: VerifiedIdentity = {
      issuer: `https://login-${tag}.example.org`,
      subject: 'op',
      groups: ['trainers'],
      preferredUsername: `op-${tag}`,
    };
    const made = await users.signIn(identity);
    assert.ok(made.outcome === 'ok');
    const signIns = new SignIns(store.accounts);
    const { token } = await signIns.start(made.user, 'oidc');

    const list = await cli(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const listed = (JSON.parse(list.stdout) as { username: string; signsInWith: string }[]).find(
      (u) => u.username === `op-${tag}`,
    );
    assert.equal(listed?.signsInWith, 'oidc');

    const disable = await cli(['disable', `op-${tag}`]);
    assert.equal(disable.code, 0, disable.stderr);
    assert.match(disable.stdout, /1 sign-in/);
    assert.equal(await signIns.resolve(token), undefined);
    assert.equal((await users.signIn(identity)).outcome, 'disabled');
    assert.equal((await cli(['enable', `op-${tag}`])).code, 0);
    assert.equal((await users.signIn(identity)).outcome, 'ok');
  });
});

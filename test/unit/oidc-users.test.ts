/**
 * The users an OpenID provider signs in (lab-server/oidc/oidc-users.ts), on
 * the lane's store: one user per (issuer, subject) even when the first two
 * sign-ins race, usernames made from what the provider suggests without ever
 * taking a local account's name, and display names without control
 * characters.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OidcUsers, type VerifiedIdentity } from '../../lab-server/oidc/oidc-users.ts';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
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

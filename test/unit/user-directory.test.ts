/**
 * Staff accounts and their sign-ins against the real store (SQLite here; the
 * `postgres` lane of run-tests.ts runs this file again on PostgreSQL): what an
 * operator can do with an account, every refusal, and when a sign-in ends.
 * Usernames are unique per run: lanes on PostgreSQL share one users table.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AccountError, PASSWORD_MIN_LENGTH } from '../../lab-server/accounts/account-rules.ts';
import {
  SIGN_IN_IDLE_MS,
  SIGN_IN_LIFETIME_MS,
  SignIns,
  tokenHash,
} from '../../lab-server/accounts/sign-ins.ts';
import { UserDirectory } from '../../lab-server/accounts/user-directory.ts';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { openTestStore } from '../support/store.ts';

const PASSWORD = 'a long enough passphrase';
const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

describe('the user directory', () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let store: SessionStore;
  let users: UserDirectory;
  before(async () => {
    opened = await openTestStore();
    store = opened.store;
    users = new UserDirectory(store.accounts);
  });
  after(() => opened.close());

  const refusal = (kind: string, message: RegExp) => (error: unknown) =>
    error instanceof AccountError && error.kind === kind && message.test(error.message);

  it('adds an account under its lower-case name, and finds it however it is typed', async () => {
    const name = unique('Ada');
    const added = await users.add({
      username: name,
      role: 'instructor',
      displayName: ' Ada Lovelace ',
      password: PASSWORD,
    });
    assert.equal(added.username, name.toLowerCase());
    assert.equal(added.displayName, 'Ada Lovelace');
    assert.match(added.id, /^u_[A-Za-z0-9_-]{12}$/);
    assert.equal((await users.find(name.toUpperCase())).id, added.id);
    assert.ok(added.passwordHash?.startsWith('$scrypt$'));
    const listed = (await users.list()).find((u) => u.id === added.id);
    assert.equal(listed?.lastSeenAt, null, 'never signed in');
  });

  it('gives an account without a display name its username', async () => {
    const name = unique('grace');
    assert.equal(
      (await users.add({ username: name, role: 'assistant', password: PASSWORD })).displayName,
      name,
    );
  });

  it('refuses a second account of the same name, in any case', async () => {
    const name = unique('linus');
    await users.add({ username: name, role: 'admin', password: PASSWORD });
    await assert.rejects(
      users.add({ username: name.toUpperCase(), role: 'admin', password: PASSWORD }),
      refusal('exists', /already an account/),
    );
  });

  it('refuses a malformed username, an unknown role, a bad display name and a weak password', async () => {
    const add = (fields: Partial<Parameters<UserDirectory['add']>[0]>) =>
      users.add({ username: unique('ok'), role: 'admin', password: PASSWORD, ...fields });
    await assert.rejects(add({ username: 'no spaces' }), refusal('invalid', /not a username/));
    await assert.rejects(add({ username: '-dash' }), refusal('invalid', /not a username/));
    await assert.rejects(
      add({ role: 'root' }),
      refusal('invalid', /not a role: use one of admin, instructor, assistant/),
    );
    await assert.rejects(
      add({ displayName: 'line\nbreak' }),
      refusal('invalid', /control characters/),
    );
    await assert.rejects(
      add({ password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1) }),
      refusal('invalid', /too short .* at least 12/),
    );
    const name = unique('same-as-name');
    await assert.rejects(
      add({ username: name, password: name.toUpperCase() }),
      refusal('invalid', /must not be the username/),
    );
  });

  it('says which account is unknown', async () => {
    await assert.rejects(
      users.find('nobody-here'),
      refusal('unknown', /no account called nobody-here/),
    );
    await assert.rejects(users.remove('nobody-here'), refusal('unknown', /nobody-here/));
  });

  it('signs in with the right password only; an unknown user is refused the same way', async () => {
    const name = unique('alan');
    await users.add({ username: name, role: 'instructor', password: PASSWORD });
    const ok = await users.authenticate(name.toUpperCase(), PASSWORD);
    assert.equal(ok.outcome, 'ok');
    assert.deepEqual(await users.authenticate(name, 'wrong password!!'), { outcome: 'refused' });
    assert.deepEqual(await users.authenticate(unique('ghost'), PASSWORD), { outcome: 'refused' });
    assert.deepEqual(await users.authenticate('not a name at all', PASSWORD), {
      outcome: 'refused',
    });
  });

  it('says an account is disabled only to whoever knows its password', async () => {
    const name = unique('edsger');
    await users.add({ username: name, role: 'instructor', password: PASSWORD });
    await users.setDisabled(name, true);
    assert.deepEqual(await users.authenticate(name, PASSWORD), { outcome: 'disabled' });
    assert.deepEqual(await users.authenticate(name, 'wrong password!!'), { outcome: 'refused' });
    await users.setDisabled(name, false);
    assert.equal((await users.authenticate(name, PASSWORD)).outcome, 'ok');
  });

  it('changes a role', async () => {
    const name = unique('barbara');
    await users.add({ username: name, role: 'assistant', password: PASSWORD });
    await users.setRole(name, 'instructor');
    assert.equal((await users.find(name)).role, 'instructor');
  });

  describe('sign-ins', () => {
    let now: number;
    let signIns: SignIns;
    before(() => {
      now = Date.now();
      signIns = new SignIns(store.accounts, () => now);
    });

    const signedInUser = async (role: 'admin' | 'instructor' = 'instructor') => {
      const name = unique('kay');
      const user = await users.add({ username: name, role, password: PASSWORD });
      const { token, signIn } = await signIns.start(user, 'password');
      return { name, user, token, signIn };
    };

    it('keep only a hash of the token', async () => {
      const { token, signIn } = await signedInUser();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(signIn.tokenHash, tokenHash(token));
      assert.notEqual(signIn.tokenHash, token);
      assert.equal(await store.accounts.signIn(token), undefined, 'the token itself finds nothing');
      assert.equal((await signIns.resolve(token))?.user.id, signIn.userId);
    });

    it('resolve nothing for a token never issued or malformed', async () => {
      assert.equal(await signIns.resolve('A'.repeat(43)), undefined);
      assert.equal(await signIns.resolve('not a token'), undefined);
    });

    it('end when signed out', async () => {
      const { token } = await signedInUser();
      await signIns.end(token);
      assert.equal(await signIns.resolve(token), undefined);
    });

    it('end after their lifetime, even when used all along', async () => {
      const start = now;
      const { token } = await signedInUser();
      for (let t = start; t < start + SIGN_IN_LIFETIME_MS; t += SIGN_IN_IDLE_MS / 2) {
        now = t;
        assert.ok(
          await signIns.resolve(token),
          `still signed in after ${(t - start) / 3_600_000} h`,
        );
      }
      now = start + SIGN_IN_LIFETIME_MS;
      assert.equal(await signIns.resolve(token), undefined);
      now = start;
    });

    it('end when unused for the idle time, and each use moves that on', async () => {
      const start = now;
      const { token } = await signedInUser();
      now = start + SIGN_IN_IDLE_MS - 1000;
      assert.ok(await signIns.resolve(token));
      now = start + 2 * SIGN_IN_IDLE_MS - 2000;
      assert.ok(await signIns.resolve(token), 'the use an idle period ago counted');
      now = start + 3 * SIGN_IN_IDLE_MS;
      assert.equal(await signIns.resolve(token), undefined);
      now = start;
    });

    it('end when the account is disabled, and do not come back when it is enabled', async () => {
      const { name, token } = await signedInUser();
      assert.equal(await users.setDisabled(name, true), 1);
      assert.equal(await signIns.resolve(token), undefined);
      await users.setDisabled(name, false);
      assert.equal(await signIns.resolve(token), undefined);
    });

    it('end when the password changes', async () => {
      const { name, token } = await signedInUser();
      assert.equal(await users.setPassword(name, 'a brand new passphrase'), 1);
      assert.equal(await signIns.resolve(token), undefined);
      assert.equal((await users.authenticate(name, 'a brand new passphrase')).outcome, 'ok');
      assert.deepEqual(await users.authenticate(name, PASSWORD), { outcome: 'refused' });
    });

    it('end when the account is removed', async () => {
      const { name, token } = await signedInUser();
      await users.remove(name);
      assert.equal(await signIns.resolve(token), undefined);
      await assert.rejects(users.find(name), AccountError);
    });

    it('show when an account was last seen', async () => {
      const { user, token } = await signedInUser();
      now += 5 * 60_000;
      await signIns.resolve(token);
      const listed = (await users.list()).find((u) => u.id === user.id);
      assert.equal(listed?.lastSeenAt, now);
    });
  });
});

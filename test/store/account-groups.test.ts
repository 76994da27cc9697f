/**
 * The groups a user signs in with (restricted content, docs/content-visibility.md),
 * kept by the account store on both of its databases: an OpenID provider's groups
 * are stored at the first sign-in and replaced at each later one; a local
 * account's are what an admin set; a sign-in reads them back with its user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountError } from '../../lab-server/accounts/account-rules.ts';
import { SignIns } from '../../lab-server/accounts/sign-ins.ts';
import { UserDirectory } from '../../lab-server/accounts/user-directory.ts';
import { OidcUsers } from '../../lab-server/oidc/oidc-users.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';
import { postgresBackend, sqliteBackend } from '../support/store-backends.ts';

const ROLES = new Map([
  ['engineering', 'learner' as const],
  ['trainers', 'instructor' as const],
]);
const issuer = 'https://login.example.org';

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`sign-in groups on ${backend.name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await SessionStore.open(await backend.fresh());
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('stores a provider’s groups at the first sign-in and replaces them at the next', async () => {
      const users = new OidcUsers(store.accounts, ROLES);
      const first = await users.signIn({
        issuer,
        subject: 'priya',
        preferredUsername: 'priya',
        groups: ['engineering', 'platform-team', 'platform-team'],
      });
      assert.ok(first.outcome === 'ok');
      assert.equal(first.user.role, 'learner');
      assert.deepEqual((await store.accounts.userByName('priya'))?.groups, [
        'engineering',
        'platform-team',
      ]);

      // Moved from the platform team to payments at the provider.
      const again = await users.signIn({
        issuer,
        subject: 'priya',
        groups: ['payments', 'engineering'],
      });
      assert.ok(again.outcome === 'ok');
      assert.deepEqual(again.user.groups, ['engineering', 'payments']);
      assert.deepEqual((await store.accounts.userByName('priya'))?.groups, [
        'engineering',
        'payments',
      ]);
      const listed = (await store.accounts.users()).find((u) => u.username === 'priya');
      assert.deepEqual(listed?.groups, ['engineering', 'payments']);
    });

    it('reads a sign-in’s user with its groups', async () => {
      const directory = new UserDirectory(store.accounts);
      const user = await directory.add({
        username: 'lin',
        role: 'learner',
        password: 'a long enough passphrase',
        groups: ['platform-team'],
      });
      const signIns = new SignIns(store.accounts);
      const { token } = await signIns.start(user, 'password');
      assert.deepEqual((await signIns.resolve(token))?.user.groups, ['platform-team']);

      await directory.setGroups('lin', ['payments', ' platform-team ']);
      assert.deepEqual((await signIns.resolve(token))?.user.groups, ['payments', 'platform-team']);
      await directory.setGroups('lin', []);
      assert.deepEqual((await signIns.resolve(token))?.user.groups, []);
    });

    it('keeps the groups of a provider’s user for the provider to set', async () => {
      const directory = new UserDirectory(store.accounts);
      await assert.rejects(directory.setGroups('priya', ['admins']), (error: AccountError) => {
        assert.equal(error.kind, 'invalid');
        assert.match(error.message, /come from the provider at each sign-in/);
        return true;
      });
      assert.deepEqual((await store.accounts.userByName('priya'))?.groups, [
        'engineering',
        'payments',
      ]);
    });

    it('refuses a group name an admin could not mean', async () => {
      const directory = new UserDirectory(store.accounts);
      for (const bad of [['a,b'], ['tab\there'], ['x'.repeat(101)]])
        await assert.rejects(directory.setGroups('lin', bad), /is not a group/);
    });
  });
}

/**
 * The accounts an operator keeps (`drydock users`) and the password check
 * of a sign-in. Free of HTTP: the CLI uses it on the database directly, the
 * sign-in route through the app. Changing a password or disabling an account
 * ends the account's sign-ins, so a leaked password or a departed colleague is
 * shut out at once, not when a cookie expires.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../protocol/accounts.ts';
import type { AccountStore, UserRecord } from '../store/account-store.ts';
import {
  AccountError,
  checkDisplayName,
  checkGroups,
  checkPassword,
  checkRole,
  normalizeUsername,
} from './account-rules.ts';
import { hashPassword, verifyNothing, verifyPassword } from './password-hash.ts';

export interface NewUser {
  username: string;
  role: string;
  /** Defaults to the username. */
  displayName?: string | undefined;
  password: string;
  /** Sign-in groups (restricted content, docs/content-visibility.md); none by default. */
  groups?: readonly string[] | undefined;
}

/**
 * What a password sign-in came to. `refused` covers an unknown username, a wrong
 * password and an account without a password alike: the caller cannot tell them
 * apart, and neither can the time it took. `disabled` only follows the right
 * password, so it tells nothing to someone guessing.
 */
export type Authentication =
  { outcome: 'ok'; user: UserRecord } | { outcome: 'refused' } | { outcome: 'disabled' };

export type Clock = () => number;

export class UserDirectory {
  private readonly store: AccountStore;
  private readonly now: Clock;

  constructor(store: AccountStore, now: Clock = Date.now) {
    this.store = store;
    this.now = now;
  }

  async add(request: NewUser): Promise<UserRecord> {
    const username = normalizeUsername(request.username);
    const role = checkRole(request.role);
    const displayName = checkDisplayName(request.displayName ?? username);
    checkPassword(request.password, username);
    const groups = checkGroups(request.groups ?? []);
    const at = this.now();
    const user: UserRecord = {
      id: `u_${randomBytes(9).toString('base64url')}`,
      username,
      displayName,
      role,
      passwordHash: await hashPassword(request.password),
      createdAt: at,
      updatedAt: at,
      disabledAt: null,
      groups,
    };
    if (!(await this.store.addUser(user)))
      throw new AccountError('exists', `there is already an account called ${username}`);
    return user;
  }

  list() {
    return this.store.users();
  }

  async find(username: string): Promise<UserRecord> {
    const name = normalizeUsername(username);
    const user = await this.store.userByName(name);
    if (!user) throw new AccountError('unknown', `there is no account called ${name}`);
    return user;
  }

  async remove(username: string): Promise<UserRecord> {
    const user = await this.find(username);
    await this.store.removeUser(user.id);
    return user;
  }

  /** Sets a new password and ends the account's sign-ins; returns how many ended. */
  async setPassword(username: string, password: string): Promise<number> {
    const user = await this.find(username);
    checkPassword(password, user.username);
    await this.store.updateUser(user.id, {
      passwordHash: await hashPassword(password),
      updatedAt: this.now(),
    });
    return this.store.removeSignInsOf(user.id);
  }

  async setRole(username: string, role: Role): Promise<UserRecord> {
    const user = await this.find(username);
    await this.store.updateUser(user.id, { role: checkRole(role), updatedAt: this.now() });
    return { ...user, role };
  }

  /**
   * Sets the groups of a local account (restricted content). A provider's user gets
   * them from the provider again at their next sign-in, so setting theirs is refused.
   */
  async setGroups(username: string, groups: readonly string[]): Promise<UserRecord> {
    const user = await this.find(username);
    const clean = checkGroups(groups);
    if (user.passwordHash === null)
      throw new AccountError(
        'invalid',
        `${user.username} signs in with OpenID Connect: their groups come from the provider at each sign-in`,
      );
    await this.store.updateUser(user.id, { groups: clean, updatedAt: this.now() });
    return { ...user, groups: clean };
  }

  /** Disabling ends the account's sign-ins at once; returns how many ended. */
  async setDisabled(username: string, disabled: boolean): Promise<number> {
    const user = await this.find(username);
    const at = this.now();
    await this.store.updateUser(user.id, { disabledAt: disabled ? at : null, updatedAt: at });
    return disabled ? this.store.removeSignInsOf(user.id) : 0;
  }

  async authenticate(username: string, password: string): Promise<Authentication> {
    let name: string;
    try {
      name = normalizeUsername(username);
    } catch {
      await verifyNothing(password);
      return { outcome: 'refused' };
    }
    const user = await this.store.userByName(name);
    if (!user?.passwordHash) {
      await verifyNothing(password);
      return { outcome: 'refused' };
    }
    const verdict = await verifyPassword(password, user.passwordHash);
    if (!verdict.matches) return { outcome: 'refused' };
    if (user.disabledAt !== null) return { outcome: 'disabled' };
    if (verdict.needsRehash) {
      // The parameters were raised since this hash was made: the password is at hand now, and only now.
      await this.store.updateUser(user.id, {
        passwordHash: await hashPassword(password),
        updatedAt: this.now(),
      });
    }
    return { outcome: 'ok', user };
  }
}

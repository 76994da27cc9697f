/**
 * The people a provider signs in: its (issuer, subject) names the user here for
 * good; the first sign-in makes them a user (no password, so only the provider
 * signs them in), every sign-in sets their role from their groups again (a
 * person moved out of `trainers` at the provider is no longer an instructor
 * here at their next sign-in), their display name, and their groups, which say
 * what restricted content they see (docs/content-visibility.md). Free of HTTP, like
 * user-directory.ts: the operator disables such a user with `drydock users
 * disable` as any other.
 *
 * A username a provider suggests is never used to find a user: a provider's
 * `ada` and a local account `ada` are two people until proven otherwise, so
 * the newcomer gets `ada-` and a few characters of their subject's hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { USERNAME, type Role } from '../../protocol/accounts.ts';
import type { AccountStore, UserRecord } from '../store/account-store.ts';
import type { Clock } from '../accounts/user-directory.ts';
import { groupsFromProvider } from '../accounts/account-rules.ts';
import { roleOf } from './group-roles.ts';

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  /** The person's groups at the provider (already read from the groups claim). */
  groups: readonly string[];
  /** Standard claims used for a username and a display name, when the provider sends them. */
  preferredUsername?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
}

export type OidcSignInOutcome =
  | { outcome: 'ok'; user: UserRecord; created: boolean }
  | { outcome: 'no-role'; endedSignIns: number }
  | { outcome: 'disabled'; user: UserRecord };

const DISPLAY_NAME_MAX = 100;

/** A claim turned into something USERNAME accepts, or undefined. */
function usernameFrom(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const candidate = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 56);
  return USERNAME.test(candidate) ? candidate : undefined;
}

/** A display name without control characters, within the length local accounts allow. */
function displayNameFrom(identity: VerifiedIdentity, username: string): string {
  for (const text of [identity.name, identity.preferredUsername]) {
    // eslint-disable-next-line no-control-regex
    const clean = text?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (clean) return [...clean].slice(0, DISPLAY_NAME_MAX).join('');
  }
  return username;
}

export class OidcUsers {
  private readonly store: AccountStore;
  private readonly roles: ReadonlyMap<string, Role>;
  private readonly now: Clock;

  constructor(store: AccountStore, roles: ReadonlyMap<string, Role>, now: Clock = Date.now) {
    this.store = store;
    this.roles = roles;
    this.now = now;
  }

  async signIn(identity: VerifiedIdentity): Promise<OidcSignInOutcome> {
    const role = roleOf(identity.groups, this.roles);
    const known = await this.store.userByIdentity(identity.issuer, identity.subject);
    if (known?.disabledAt != null) return { outcome: 'disabled', user: known };
    if (!role) {
      // Taken out of every mapped group: sign-ins they still have end now, not in 12 hours.
      const endedSignIns = known ? await this.store.removeSignInsOf(known.id) : 0;
      return { outcome: 'no-role', endedSignIns };
    }
    if (known) {
      const displayName = displayNameFrom(identity, known.username);
      const groups = groupsFromProvider(identity.groups);
      if (
        known.role !== role ||
        known.displayName !== displayName ||
        known.groups.join('\n') !== groups.join('\n')
      )
        await this.store.updateUser(known.id, { role, displayName, groups, updatedAt: this.now() });
      return { outcome: 'ok', user: { ...known, role, displayName, groups }, created: false };
    }
    return this.create(identity, role);
  }

  private async create(identity: VerifiedIdentity, role: Role): Promise<OidcSignInOutcome> {
    const base =
      usernameFrom(identity.preferredUsername) ??
      usernameFrom(identity.email?.split('@')[0]) ??
      'staff';
    const suffix = createHash('sha256')
      .update(`${identity.issuer}\0${identity.subject}`)
      .digest('hex')
      .slice(0, 6);
    for (const username of [
      base,
      `${base}-${suffix}`,
      `${base}-${randomBytes(4).toString('hex')}`,
    ]) {
      const at = this.now();
      const user: UserRecord = {
        id: `u_${randomBytes(9).toString('base64url')}`,
        username,
        displayName: displayNameFrom(identity, username),
        role,
        passwordHash: null,
        createdAt: at,
        updatedAt: at,
        disabledAt: null,
        groups: groupsFromProvider(identity.groups),
      };
      const result = await this.store.addUserWithIdentity(user, identity);
      if (result === 'added') return { outcome: 'ok', user, created: true };
      // The same person's other sign-in made them a moment ago: theirs is the account.
      if (result === 'identity-taken') return this.signIn(identity);
    }
    throw new Error(`no free username for ${base} after three tries`);
  }
}

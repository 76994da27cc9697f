/**
 * Accounts (staff, and learners who sign in for their groups) and their
 * sign-ins, in the same database as the sessions (one file or server to back
 * up, one migration history). The only SQL about
 * accounts; records in, records out. The rules (who may sign in, how long a
 * sign-in lasts) live in accounts/, not here.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Role, SignInMethod } from '../../protocol/accounts.ts';
import type { Database, SignInsTable, UsersTable } from './tables.ts';

export interface UserRecord {
  /** `u_` and 12 random characters; stable across a rename, so later tables refer to it. */
  id: string;
  username: string;
  displayName: string;
  role: Role;
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
  /**
   * The sign-in groups the user is in: what content restricted to groups they see
   * (docs/content-visibility.md). From the OpenID provider at their latest sign-in,
   * or set by an admin for a local account.
   */
  groups: readonly string[];
}

export type UserChange = Partial<
  Pick<UserRecord, 'displayName' | 'role' | 'passwordHash' | 'disabledAt' | 'groups'>
> & { updatedAt: number };

/** The stored JSON array of group names; anything else reads as no group. */
function groupsOf(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

export interface SignInRecord {
  tokenHash: string;
  userId: string;
  method: SignInMethod;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    groups: groupsOf(row.user_groups),
  };
}

function toSignIn(row: Selectable<SignInsTable>): SignInRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    method: row.method as SignInMethod,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** A user as its row in `users`. */
const userRow = (user: UserRecord) => ({
  id: user.id,
  username: user.username,
  display_name: user.displayName,
  role: user.role,
  password_hash: user.passwordHash,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
  disabled_at: user.disabledAt,
  user_groups: JSON.stringify(user.groups),
});

export class AccountStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  // Users

  /** False when the username is taken (by a concurrent add too: the unique index decides). */
  async addUser(user: UserRecord): Promise<boolean> {
    const inserted = await this.db
      .insertInto('users')
      .values(userRow(user))
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async userByName(username: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * Every user by username, with when each was last seen signed in (null: never,
   * or long ago) and the OpenID provider that signs them in (null: a local account).
   */
  async users(): Promise<
    (UserRecord & { lastSeenAt: number | null; oidcIssuer: string | null })[]
  > {
    const rows = await this.db
      .selectFrom('users')
      .selectAll('users')
      .select((eb) =>
        eb
          .selectFrom('sign_ins')
          .select((s) => s.fn.max('sign_ins.last_seen_at').as('seen'))
          .whereRef('sign_ins.user_id', '=', 'users.id')
          .as('last_seen_at'),
      )
      .select((eb) =>
        eb
          .selectFrom('oidc_identities')
          .select('oidc_identities.issuer')
          .whereRef('oidc_identities.user_id', '=', 'users.id')
          .as('oidc_issuer'),
      )
      .orderBy('username')
      .execute();
    return rows.map((row) => ({
      ...toUser(row),
      lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
      oidcIssuer: row.oidc_issuer ?? null,
    }));
  }

  async updateUser(id: string, change: UserChange): Promise<void> {
    const values = {
      updated_at: change.updatedAt,
      ...(change.displayName !== undefined && { display_name: change.displayName }),
      ...(change.role !== undefined && { role: change.role }),
      ...(change.passwordHash !== undefined && { password_hash: change.passwordHash }),
      ...(change.disabledAt !== undefined && { disabled_at: change.disabledAt }),
      ...(change.groups !== undefined && { user_groups: JSON.stringify(change.groups) }),
    };
    await this.db.updateTable('users').set(values).where('id', '=', id).execute();
  }

  /** Removes the user and, by the foreign key's cascade, their sign-ins. */
  async removeUser(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  // Identities at an OpenID provider

  /** The user this provider's subject signed in as before, if any. */
  async userByIdentity(issuer: string, subject: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('oidc_identities')
      .innerJoin('users', 'users.id', 'oidc_identities.user_id')
      .selectAll('users')
      .where('oidc_identities.issuer', '=', issuer)
      .where('oidc_identities.subject', '=', subject)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * Adds a user together with the identity that signs them in, or neither:
   * `username-taken` when another account has the name (a local one too: it is
   * never taken over), `identity-taken` when a concurrent first sign-in of the
   * same person won.
   */
  async addUserWithIdentity(
    user: UserRecord,
    identity: { issuer: string; subject: string },
  ): Promise<'added' | 'username-taken' | 'identity-taken'> {
    const lost = new Error('identity taken');
    try {
      return await this.db.transaction().execute(async (tx) => {
        const added = await tx
          .insertInto('users')
          .values(userRow(user))
          .onConflict((oc) => oc.column('username').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!added) return 'username-taken' as const;
        const linked = await tx
          .insertInto('oidc_identities')
          .values({
            issuer: identity.issuer,
            subject: identity.subject,
            user_id: user.id,
            created_at: user.createdAt,
          })
          .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
          .returning('user_id')
          .executeTakeFirst();
        if (!linked) throw lost; // rolls the user back
        return 'added' as const;
      });
    } catch (error) {
      if (error === lost) return 'identity-taken';
      throw error;
    }
  }

  // Sign-ins

  async addSignIn(signIn: SignInRecord): Promise<void> {
    await this.db
      .insertInto('sign_ins')
      .values({
        token_hash: signIn.tokenHash,
        user_id: signIn.userId,
        method: signIn.method,
        created_at: signIn.createdAt,
        expires_at: signIn.expiresAt,
        last_seen_at: signIn.lastSeenAt,
      })
      .execute();
  }

  /** The sign-in with this token hash and its user, in one query (every signed-in request asks). */
  async signIn(tokenHash: string): Promise<{ signIn: SignInRecord; user: UserRecord } | undefined> {
    const row = await this.db
      .selectFrom('sign_ins')
      .innerJoin('users', 'users.id', 'sign_ins.user_id')
      .selectAll('users')
      .select([
        'sign_ins.token_hash',
        'sign_ins.user_id',
        'sign_ins.method',
        'sign_ins.created_at as sign_in_created_at',
        'sign_ins.expires_at',
        'sign_ins.last_seen_at',
      ])
      .where('sign_ins.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      user: toUser(row),
      signIn: toSignIn({ ...row, created_at: row.sign_in_created_at }),
    };
  }

  async touchSignIn(tokenHash: string, at: number): Promise<void> {
    await this.db
      .updateTable('sign_ins')
      .set({ last_seen_at: at })
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  async removeSignIn(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sign_ins').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every sign-in of a user (disabled, password changed); returns how many. */
  async removeSignInsOf(userId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('sign_ins')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Removes sign-ins past their expiry or unused since `idleBefore`. */
  async forgetStaleSignIns(now: number, idleBefore: number): Promise<number> {
    const result = await this.db
      .deleteFrom('sign_ins')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

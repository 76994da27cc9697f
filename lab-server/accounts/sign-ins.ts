/**
 * Signed-in sessions of staff: a random token in the browser's cookie, only its
 * SHA-256 in the store (a copy of the database signs nobody in). A sign-in ends
 * at the latest LIFETIME after it began (a long training day), sooner when
 * unused for IDLE, at once when it is signed out, the account is disabled or
 * removed, or its password changes.
 *
 * How the user proved who they are is only recorded (`method`): a password or
 * an OpenID Connect login (accounts/oidc-sign-in.ts), which call `start` alike.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SignInMethod } from '../../protocol/accounts.ts';
import type { AccountStore, SignInRecord, UserRecord } from '../store/account-store.ts';
import type { Clock } from './user-directory.ts';

export const SIGN_IN_LIFETIME_MS = 12 * 3_600_000;
export const SIGN_IN_IDLE_MS = 2 * 3_600_000;
/** Last-seen is written at most this often: a page's many requests cost one write, not one each. */
const TOUCH_EVERY_MS = 60_000;

export type { SignInMethod } from '../../protocol/accounts.ts';

/** 32 random bytes, base64url: what the cookie holds. */
export const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface SignedIn {
  user: UserRecord;
  signIn: SignInRecord;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export class SignIns {
  private readonly store: AccountStore;
  private readonly now: Clock;

  constructor(store: AccountStore, now: Clock = Date.now) {
    this.store = store;
    this.now = now;
  }

  /** Starts a sign-in for a user who has proved who they are; the token goes to the browser only. */
  async start(
    user: UserRecord,
    method: SignInMethod,
  ): Promise<{ token: string; signIn: SignInRecord }> {
    const at = this.now();
    // Each new sign-in sweeps the stale ones: there are few, and no timer is needed.
    await this.store.forgetStaleSignIns(at, at - SIGN_IN_IDLE_MS);
    const token = randomBytes(32).toString('base64url');
    const signIn: SignInRecord = {
      tokenHash: tokenHash(token),
      userId: user.id,
      method,
      createdAt: at,
      expiresAt: at + SIGN_IN_LIFETIME_MS,
      lastSeenAt: at,
    };
    await this.store.addSignIn(signIn);
    return { token, signIn };
  }

  /** Who this token signs in, if anyone still; an expired, idle or disabled one is ended here. */
  async resolve(token: string): Promise<SignedIn | undefined> {
    if (!TOKEN_FORMAT.test(token)) return undefined;
    const hash = tokenHash(token);
    const found = await this.store.signIn(hash);
    if (!found) return undefined;
    const at = this.now();
    const { signIn, user } = found;
    if (signIn.expiresAt <= at || signIn.lastSeenAt + SIGN_IN_IDLE_MS <= at || user.disabledAt) {
      await this.store.removeSignIn(hash);
      return undefined;
    }
    if (at - signIn.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.store.touchSignIn(hash, at);
      signIn.lastSeenAt = at;
    }
    return found;
  }

  async end(token: string): Promise<void> {
    if (TOKEN_FORMAT.test(token)) await this.store.removeSignIn(tokenHash(token));
  }
}

/**
 * Staff accounts as a Fastify part: the user directory and the sign-ins over
 * the store, who a request is signed in as (read once per request), and
 * `requireRole`, the hook a route uses to admit only some roles. Whatever
 * signed a user in (a password now, OpenID Connect later) makes the same
 * sign-in, so routes guarded here need no change when a new way arrives.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../../protocol/accounts.ts';
import { type SignedIn, SignIns } from '../accounts/sign-ins.ts';
import { UserDirectory } from '../accounts/user-directory.ts';
import { AppError } from '../errors.ts';
import { assertSameOrigin } from '../http/same-origin.ts';
import { type CookiePolicy, cookiePolicy, readSignInCookie } from '../http/sign-in-cookie.ts';
import type { OriginPolicy } from '../terminal/origin-check.ts';

export interface Accounts {
  users: UserDirectory;
  signIns: SignIns;
  cookie: CookiePolicy;
  origins: OriginPolicy;
  /** Who sent this request, from its sign-in cookie; asked once per request, whoever asks. */
  signedIn(request: FastifyRequest): Promise<SignedIn | undefined>;
  /**
   * A preHandler that lets through only users signed in with one of `roles`
   * (401 NOT_SIGNED_IN, 403 ROLE_REQUIRED), and refuses a state-changing request
   * from another site's page (403 ORIGIN_REFUSED).
   */
  requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: Accounts;
  }
}

function accounts(app: FastifyInstance): Accounts {
  const users = new UserDirectory(app.store.accounts);
  const signIns = new SignIns(app.store.accounts);
  const cookie = cookiePolicy(app.config);
  const origins = { publicOrigin: app.config.publicUrl?.origin };
  const seen = new WeakMap<FastifyRequest, Promise<SignedIn | undefined>>();

  const signedIn = (request: FastifyRequest) => {
    let found = seen.get(request);
    if (!found) {
      const token = readSignInCookie(cookie, request);
      found = token === undefined ? Promise.resolve(undefined) : signIns.resolve(token);
      seen.set(request, found);
    }
    return found;
  };

  const requireRole =
    (...roles: Role[]): preHandlerAsyncHookHandler =>
    async (request) => {
      const who = await signedIn(request);
      if (!who) throw new AppError('NOT_SIGNED_IN');
      assertSameOrigin(origins, request);
      if (!roles.includes(who.user.role))
        throw new AppError(
          'ROLE_REQUIRED',
          `This needs the role ${roles.join(' or ')}; ${who.user.username} is ${who.user.role}.`,
        );
    };

  return { users, signIns, cookie, origins, signedIn, requireRole };
}

export const accountsPlugin = fp(
  async (app) => {
    app.decorate('accounts', accounts(app));
  },
  {
    name: 'drydock-accounts',
    dependencies: ['drydock-store'],
    decorators: { fastify: ['config'] },
  },
);

/**
 * Staff sign-in under /api/auth: sign in with a username and password, ask who
 * is signed in, sign out. The answers are the same for an unknown username and
 * a wrong password (and take as long: user-directory.ts); guessing is limited
 * per client address and per username. The accounts themselves are made by the
 * operator (`drydock users`), never here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AuthStatusSchema,
  SignInBodySchema,
  type AuthStatus,
  type SignInBody,
} from '../../protocol/accounts.ts';
import { SignInMethodsSchema, type SignInMethods } from '../../protocol/oidc.ts';
import type { SignedIn } from '../accounts/sign-ins.ts';
import { clientOf } from '../admission/client-id.ts';
import { AppError } from '../errors.ts';
import { assertSameOrigin } from '../http/same-origin.ts';
import { clearSignInCookie, readSignInCookie, setSignInCookie } from '../http/sign-in-cookie.ts';

/** Sign-in attempts one client address may make per minute, right or wrong. */
export const SIGN_INS_PER_CLIENT_PER_MINUTE = 10;
/**
 * Wrong passwords one username may be given per window, from anywhere, before
 * that username is refused until the window ends: slows a guesser spread over
 * many addresses, at the price that one can keep a known username locked out.
 */
export const FAILED_SIGN_INS_PER_USERNAME = 10;
export const USERNAME_WINDOW_MS = 15 * 60_000;

function present({ user, signIn }: SignedIn): AuthStatus {
  return {
    signedIn: true,
    user: { username: user.username, displayName: user.displayName, role: user.role },
    method: signIn.method,
    expiresAt: new Date(signIn.expiresAt).toISOString(),
  };
}

const tooMany = (seconds: number, whose: string) =>
  new AppError('RATE_LIMITED', `Too many sign-in attempts ${whose}. Try again in ${seconds} s.`, {
    retryAfter: seconds,
  });

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { accounts } = app;
  const perClient = app.createRateLimit({
    max: SIGN_INS_PER_CLIENT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => `sign-in:${clientOf(request.ip)}`,
  });
  const perUsername = app.createRateLimit({
    max: FAILED_SIGN_INS_PER_USERNAME,
    timeWindow: USERNAME_WINDOW_MS,
    keyGenerator: (request) =>
      `sign-in-user:${(request.body as SignInBody).username.trim().toLowerCase()}`,
  });
  const statusSchema = AuthStatusSchema;
  // Who is signed in is personal and changes: never from a cache.
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  app.post<{ Body: SignInBody }>(
    '/auth/sign-in',
    { schema: { body: SignInBodySchema, response: { 200: statusSchema } } },
    async (request, reply): Promise<AuthStatus> => {
      assertSameOrigin(accounts.origins, request);
      const client = await perClient(request);
      if (!client.isAllowed && client.isExceeded)
        throw tooMany(client.ttlInSeconds, 'from your address');
      const user = await perUsername(request, { increment: false });
      if (!user.isAllowed && user.remaining <= 0)
        throw tooMany(user.ttlInSeconds, 'for this username');

      const { username, password } = request.body;
      const result = await accounts.users.authenticate(username, password);
      if (result.outcome !== 'ok') {
        await perUsername(request);
        request.log.warn(
          { client: clientOf(request.ip), outcome: result.outcome },
          'sign-in refused',
        );
        throw new AppError(result.outcome === 'disabled' ? 'ACCOUNT_DISABLED' : 'SIGN_IN_FAILED');
      }
      // A sign-in replaces the one this browser had (another user's, on a shared computer).
      const previous = readSignInCookie(accounts.cookie, request);
      if (previous) await accounts.signIns.end(previous);
      const { token, signIn } = await accounts.signIns.start(result.user, 'password');
      setSignInCookie(accounts.cookie, reply, token, signIn.expiresAt);
      noStore(reply);
      request.log.info({ user: result.user.username, role: result.user.role }, 'signed in');
      return present({ user: result.user, signIn });
    },
  );

  app.get(
    '/auth/me',
    { schema: { response: { 200: statusSchema } } },
    async (request: FastifyRequest, reply): Promise<AuthStatus> => {
      noStore(reply);
      const who = await accounts.signedIn(request);
      if (who) return present(who);
      // A cookie that signs nobody in any more (expired, signed out elsewhere) is cleared.
      if (readSignInCookie(accounts.cookie, request) !== undefined)
        clearSignInCookie(accounts.cookie, reply);
      return { signedIn: false };
    },
  );

  // Which ways of signing in the sign-in page offers: a password always, a provider when configured.
  app.get(
    '/auth/methods',
    { schema: { response: { 200: SignInMethodsSchema } } },
    async (): Promise<SignInMethods> => {
      const oidc = app.oidc?.relyingParty.settings;
      return {
        password: true,
        ...(oidc ? { oidc: { label: oidc.label, start: '/api/auth/oidc/start' } } : {}),
      };
    },
  );

  app.post('/auth/sign-out', async (request, reply) => {
    assertSameOrigin(accounts.origins, request);
    const token = readSignInCookie(accounts.cookie, request);
    if (token !== undefined) {
      const who = await accounts.signedIn(request);
      await accounts.signIns.end(token);
      if (who) request.log.info({ user: who.user.username }, 'signed out');
    }
    clearSignInCookie(accounts.cookie, reply);
    return reply.code(204).send();
  });
}

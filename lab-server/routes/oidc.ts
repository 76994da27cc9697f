/**
 * Staff sign-in through the operator's OpenID provider: /api/auth/oidc/start
 * sends the browser to the provider's login, /api/auth/oidc/callback takes its
 * answer, signs the person in with the same cookie a password sign-in gets and
 * sends them where they were going. Both are page navigations, not fetches:
 * whatever goes wrong after the start sends the person back to /sign-in/ with
 * `?oidc-error=<code>`, where the page says what happened (protocol/oidc.ts),
 * and the log says why in detail.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { isSameSitePath, type OidcRefusal } from '../../protocol/oidc.ts';
import { clientOf } from '../admission/client-id.ts';
import { AppError } from '../errors.ts';
import {
  clearFlowCookie,
  hasFlowCookie,
  readFlowCookie,
  setFlowCookie,
} from '../http/oidc-flow-cookie.ts';
import { readSignInCookie, setSignInCookie } from '../http/sign-in-cookie.ts';
import type { Oidc } from '../plugins/oidc.ts';
import { OidcFailure } from '../oidc/relying-party.ts';

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function oidcRoutes(app: FastifyInstance): Promise<void> {
  const { accounts } = app;
  const configured = (): Oidc => {
    if (!app.oidc) throw new AppError('OIDC_NOT_CONFIGURED');
    return app.oidc;
  };
  // Answers about one person's sign-in: never from a cache.
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    refusal: OidcRefusal,
    detail: string,
    extra: Record<string, unknown> = {},
  ) => {
    request.log.warn(
      { client: clientOf(request.ip), refusal, ...extra },
      `OpenID sign-in refused: ${detail}`,
    );
    return reply.redirect(`/sign-in/?oidc-error=${refusal}`, 303);
  };

  app.get<{ Querystring: { next?: string } }>(
    '/auth/oidc/start',
    {
      schema: {
        querystring: z.strictObject({ next: z.optional(z.string().check(z.maxLength(2048))) }),
      },
    },
    async (request, reply) => {
      const { relyingParty } = configured();
      noStore(reply);
      // Chromium prefetches links a pointer rests on: a prefetch must not start a flow (and
      // a non-2xx answer keeps the browser from using it for the real click).
      if (/\bprefetch\b/i.test(String(request.headers['sec-purpose'] ?? '')))
        return reply.code(503).header('retry-after', '0').send();
      const next = request.query.next ?? '/';
      if (!isSameSitePath(next))
        throw new AppError(
          'BAD_REQUEST',
          'next must be a path on this site (such as /labs/): a sign-in never leads to another site.',
        );
      try {
        const { url, secrets } = await relyingParty.authorizationUrl();
        setFlowCookie(accounts.cookie, reply, { ...secrets, next, at: Date.now() });
        return reply.redirect(url.href, 303);
      } catch (error) {
        if (!(error instanceof OidcFailure)) throw error;
        return refuse(request, reply, error.refusal, error.message);
      }
    },
  );

  app.get('/auth/oidc/callback', async (request, reply) => {
    const { relyingParty, users } = configured();
    noStore(reply);
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const state = new URLSearchParams(query).get('state') ?? '';
    const found = readFlowCookie(accounts.cookie, request, state);
    // Whatever happens next, this answer is used once.
    if (found.kind !== 'missing') clearFlowCookie(accounts.cookie, reply, state);
    if (found.kind === 'expired')
      return refuse(request, reply, 'FLOW_EXPIRED', 'the flow cookie is older than 10 minutes');
    if (found.kind === 'missing' || !sameText(state, found.flow.state)) {
      if (hasFlowCookie(accounts.cookie, request))
        return refuse(request, reply, 'STATE_MISMATCH', 'the state matches no flow cookie');
      return refuse(
        request,
        reply,
        'FLOW_EXPIRED',
        'no sign-in under way in this browser (no flow cookie, or older than 10 minutes)',
      );
    }
    const { flow } = found;

    const callbackUrl = new URL(relyingParty.settings.redirectUri);
    callbackUrl.search = query;
    let identity;
    try {
      identity = await relyingParty.verify(callbackUrl, flow);
    } catch (error) {
      if (!(error instanceof OidcFailure)) throw error;
      return refuse(request, reply, error.refusal, error.message);
    }
    const result = await users.signIn(identity);
    if (result.outcome === 'no-role')
      return refuse(
        request,
        reply,
        'NO_ROLE',
        `none of the groups of ${identity.subject} is in DRYDOCK_OIDC_ROLES`,
        { groups: identity.groups, endedSignIns: result.endedSignIns },
      );
    if (result.outcome === 'disabled')
      return refuse(request, reply, 'ACCOUNT_DISABLED', `${result.user.username} is disabled`);

    // A sign-in replaces the one this browser had (another user's, on a shared computer).
    const previous = readSignInCookie(accounts.cookie, request);
    if (previous) await accounts.signIns.end(previous);
    const { token, signIn } = await accounts.signIns.start(result.user, 'oidc');
    setSignInCookie(accounts.cookie, reply, token, signIn.expiresAt);
    request.log.info(
      { user: result.user.username, role: result.user.role, created: result.created },
      'signed in with OpenID Connect',
    );
    return reply.redirect(flow.next, 303);
  });
}

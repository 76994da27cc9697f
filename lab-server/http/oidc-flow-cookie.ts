/**
 * The cookie that carries one OpenID Connect sign-in from /api/auth/oidc/start
 * to the provider's answer at /api/auth/oidc/callback: the state, the nonce,
 * PKCE's verifier and where the person was going. HttpOnly, and SameSite=Lax,
 * which browsers still send on the provider's redirect back (a top-level GET).
 * It lives ten minutes and is cleared by the callback whatever happens, so an
 * answer from the provider is accepted once, in the browser that asked for it.
 *
 * Unsigned: it holds only this browser's own random values. Another site
 * cannot write it (with https it is `__Host-`, like the sign-in cookie), and
 * without it the provider's answer is refused.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSameSitePath } from '../../protocol/oidc.ts';
import type { FlowSecrets } from '../oidc/relying-party.ts';
import { attributes, type CookiePolicy, readCookie } from './sign-in-cookie.ts';

export const FLOW_LIFETIME_MS = 10 * 60_000;

export interface Flow extends FlowSecrets {
  /** A path on this site to go to once signed in. */
  next: string;
  /** When the flow began (epoch ms): a flow older than FLOW_LIFETIME_MS is refused. */
  at: number;
}

const nameOf = (policy: CookiePolicy) => (policy.secure ? '__Host-drydock-oidc' : 'drydock-oidc');
const RANDOM = /^[A-Za-z0-9_-]{20,128}$/;

export function setFlowCookie(policy: CookiePolicy, reply: FastifyReply, flow: Flow): void {
  const value = Buffer.from(JSON.stringify(flow)).toString('base64url');
  reply.header(
    'set-cookie',
    `${nameOf(policy)}=${value}; ${attributes(policy, FLOW_LIFETIME_MS / 1000)}`,
  );
}

export function clearFlowCookie(policy: CookiePolicy, reply: FastifyReply): void {
  reply.header('set-cookie', `${nameOf(policy)}=; ${attributes(policy, 0)}`);
}

/** The flow this browser started, if it carries a well-formed one that has not expired. */
export function readFlowCookie(
  policy: CookiePolicy,
  request: FastifyRequest,
  now = Date.now(),
): Flow | undefined {
  const raw = readCookie(nameOf(policy), request);
  if (!raw) return undefined;
  let flow: Partial<Flow>;
  try {
    flow = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flow>;
  } catch {
    return undefined;
  }
  const { state, nonce, verifier, next, at } = flow;
  if (
    typeof state !== 'string' ||
    typeof nonce !== 'string' ||
    typeof verifier !== 'string' ||
    ![state, nonce, verifier].every((value) => RANDOM.test(value)) ||
    typeof next !== 'string' ||
    !isSameSitePath(next) ||
    typeof at !== 'number' ||
    !(now - at < FLOW_LIFETIME_MS && at <= now)
  )
    return undefined;
  return { state, nonce, verifier, next, at };
}

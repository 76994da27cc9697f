/**
 * The cookie that carries one OpenID Connect sign-in from /api/auth/oidc/start
 * to the provider's answer at /api/auth/oidc/callback: the state, the nonce,
 * PKCE's verifier and where the person was going. HttpOnly, and SameSite=Lax,
 * which browsers still send on the provider's redirect back (a top-level GET).
 * It lives ten minutes and is cleared by the callback whatever happens, so an
 * answer from the provider is accepted once, in the browser that asked for it.
 *
 * One cookie per flow, named after the start of its state: a second sign-in
 * begun in the same browser (another tab, or a browser's own prefetch of the
 * start link racing the click) must not overwrite the first one's secrets, or
 * the first comes back to a state it no longer knows.
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

const RANDOM = /^[A-Za-z0-9_-]{20,128}$/;
const prefixOf = (policy: CookiePolicy) =>
  policy.secure ? '__Host-drydock-oidc-' : 'drydock-oidc-';
/** 16 characters of the state (96 bits): enough to tell flows apart, short for a cookie's name. */
const nameOf = (policy: CookiePolicy, state: string) => `${prefixOf(policy)}${state.slice(0, 16)}`;

export function setFlowCookie(policy: CookiePolicy, reply: FastifyReply, flow: Flow): void {
  const value = Buffer.from(JSON.stringify(flow)).toString('base64url');
  reply.header(
    'set-cookie',
    `${nameOf(policy, flow.state)}=${value}; ${attributes(policy, FLOW_LIFETIME_MS / 1000)}`,
  );
}

export function clearFlowCookie(policy: CookiePolicy, reply: FastifyReply, state: string): void {
  reply.header('set-cookie', `${nameOf(policy, state)}=; ${attributes(policy, 0)}`);
}

/** Whether this request carries any flow's cookie (told apart from none at all, for the refusal's reason). */
export function hasFlowCookie(policy: CookiePolicy, request: FastifyRequest): boolean {
  const prefix = prefixOf(policy);
  return (request.headers.cookie ?? '').split(';').some((part) => part.trim().startsWith(prefix));
}

export type FlowLookup =
  | { kind: 'found'; flow: Flow }
  /** A cookie for this state, but older than FLOW_LIFETIME_MS or unreadable. */
  | { kind: 'expired' }
  /** No cookie for this state (perhaps for others: `hasFlowCookie`). */
  | { kind: 'missing' };

/**
 * The flow this browser started whose state begins like `state`, if it carries
 * a well-formed one that has not expired (the caller compares the whole state).
 */
export function readFlowCookie(
  policy: CookiePolicy,
  request: FastifyRequest,
  state: string,
  now = Date.now(),
): FlowLookup {
  if (!RANDOM.test(state)) return { kind: 'missing' };
  const raw = readCookie(nameOf(policy, state), request);
  if (!raw) return { kind: 'missing' };
  let flow: Partial<Flow>;
  try {
    flow = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flow>;
  } catch {
    return { kind: 'expired' };
  }
  const { nonce, verifier, next, at } = flow;
  if (
    typeof flow.state !== 'string' ||
    typeof nonce !== 'string' ||
    typeof verifier !== 'string' ||
    ![flow.state, nonce, verifier].every((value) => RANDOM.test(value)) ||
    typeof next !== 'string' ||
    !isSameSitePath(next) ||
    typeof at !== 'number' ||
    !(now - at < FLOW_LIFETIME_MS && at <= now)
  )
    return { kind: 'expired' };
  return { kind: 'found', flow: { state: flow.state, nonce, verifier, next, at } };
}

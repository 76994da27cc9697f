/**
 * Staff sign-in with OpenID Connect, on the wire: which ways of signing in this
 * server offers (`GET /api/auth/methods`, read by the sign-in page), why a
 * sign-in at the provider was refused (the callback sends the browser back to
 * `/sign-in/?oidc-error=<code>`, and the page says the sentence below), and the
 * rule for where a sign-in may lead afterwards, which the page and the server
 * both apply.
 */
import * as z from 'zod/mini';

export const SignInMethodsSchema = z.object({
  /** Local accounts (`drydock users`): always offered. */
  password: z.literal(true),
  /** Present when the operator configured a provider; `label` completes "Sign in with …". */
  oidc: z.optional(z.object({ label: z.string(), start: z.literal('/api/auth/oidc/start') })),
});
export type SignInMethods = z.infer<typeof SignInMethodsSchema>;

/**
 * Why a sign-in through the provider did not sign anyone in. Each one is a
 * sentence a person can act on; none repeats what the provider or the address
 * bar said (the page shows these, never text from elsewhere).
 */
export const OIDC_REFUSALS = {
  NO_ROLE:
    'You signed in at your organisation’s login, but none of your groups gives you a role on this server. Ask its operator to add one of your groups to DRYDOCK_OIDC_ROLES.',
  ACCOUNT_DISABLED:
    'Your account on this server is disabled. Ask the server’s operator to enable it.',
  FLOW_EXPIRED:
    'That sign-in took too long or was started in another browser. Press the button to sign in again.',
  STATE_MISMATCH:
    'That answer from the login page does not belong to the sign-in this browser started. Press the button to sign in again.',
  PROVIDER_REFUSED:
    'Your organisation’s login did not sign you in (it was cancelled or refused). Press the button to try again.',
  CODE_REFUSED:
    'Your organisation’s login did not confirm the sign-in (the answer was used already, or is no longer valid). Press the button to sign in again.',
  PROVIDER_UNREACHABLE:
    'Your organisation’s login cannot be reached from this server right now. Try again in a few minutes; if it persists, the server’s log says why.',
} as const;
export type OidcRefusal = keyof typeof OIDC_REFUSALS;

export const isOidcRefusal = (code: string): code is OidcRefusal =>
  Object.hasOwn(OIDC_REFUSALS, code);

/** Long enough for any page of the site with its query, short enough for a cookie. */
const NEXT_MAX_LENGTH = 512;

/**
 * Whether `target` is a path on this site: `/…`, but not `//host` or `/\host`
 * (which browsers read as another site), and no control characters. A sign-in
 * never sends a person to another site, whoever wrote the link.
 */
export function isSameSitePath(target: string): boolean {
  return (
    target.length <= NEXT_MAX_LENGTH &&
    target.startsWith('/') &&
    !target.startsWith('//') &&
    !target.startsWith('/\\') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f\\]/.test(target)
  );
}

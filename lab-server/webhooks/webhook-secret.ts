/**
 * The results webhook's signing secret in the Standard Webhooks form,
 * `whsec_<base64>`: the form receivers' libraries (`standardwebhooks` in Node,
 * `standardwebhooks` in Python, Svix's) take as is, so the operator hands the
 * receiver the very string the server has. The spec asks for 24 to 64 random
 * bytes; fewer would make the HMAC's key guessable, more buys nothing.
 */
import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** How to make one, for error messages and the docs. */
export const MAKE_A_SECRET =
  'make one with `drydock webhook secret`, or `echo "whsec_$(openssl rand -base64 32)"`';

/** A new secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Why `text` is not a usable secret, or undefined when it is. Never repeats the secret. */
export function webhookSecretProblem(text: string): string | undefined {
  if (!text.startsWith(SECRET_PREFIX))
    return `must be in the Standard Webhooks form whsec_<base64>; ${MAKE_A_SECRET}`;
  const encoded = text.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
    return `the part after whsec_ must be standard base64 (A-Z, a-z, 0-9, + and /, padded with =); ${MAKE_A_SECRET}`;
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_BYTES || bytes > MAX_BYTES)
    return `the part after whsec_ must decode to ${MIN_BYTES} to ${MAX_BYTES} random bytes (it has ${bytes}); ${MAKE_A_SECRET}`;
  return undefined;
}

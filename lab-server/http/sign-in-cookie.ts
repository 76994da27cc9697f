/**
 * The cookie that carries a staff sign-in's token. HttpOnly (no script on the
 * page can read it, so an injected one cannot steal it), SameSite=Lax (another
 * site's form or fetch does not carry it), Path=/. When DRYDOCK_PUBLIC_URL is
 * https, it is also Secure and named with the `__Host-` prefix, which browsers
 * accept only from a secure origin without a Domain: a sibling subdomain cannot
 * plant or overwrite it. Over plain http (a laptop, a test) neither would be
 * accepted, so the plain name is used. One cookie, read by hand: a cookie
 * library for a single name would be more code than this.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

export interface CookiePolicy {
  name: string;
  secure: boolean;
}

export function cookiePolicy(config: Pick<Config, 'publicUrl'>): CookiePolicy {
  const secure = config.publicUrl?.url.startsWith('https:') ?? false;
  return { name: secure ? '__Host-drydock-sign-in' : 'drydock-sign-in', secure };
}

/** The value of the cookie called `name` in this request, if it carries one. */
export function readCookie(name: string, request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The sign-in cookie's value in this request, if it carries one. */
export function readSignInCookie(
  policy: CookiePolicy,
  request: FastifyRequest,
): string | undefined {
  return readCookie(policy.name, request);
}

/** The attributes every cookie of this server has (see above); also the OpenID flow's cookie. */
export function attributes(policy: Pick<CookiePolicy, 'secure'>, maxAgeSeconds: number): string {
  return [
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAgeSeconds}`,
    ...(policy.secure ? ['Secure'] : []),
  ].join('; ');
}

export function setSignInCookie(
  policy: CookiePolicy,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
): void {
  const maxAge = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
  reply.header('set-cookie', `${policy.name}=${token}; ${attributes(policy, maxAge)}`);
}

export function clearSignInCookie(policy: CookiePolicy, reply: FastifyReply): void {
  reply.header('set-cookie', `${policy.name}=; ${attributes(policy, 0)}`);
}

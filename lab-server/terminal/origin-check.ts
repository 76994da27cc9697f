/**
 * Which pages may open a terminal. A browser sends its page's Origin with every
 * WebSocket handshake and, unlike for fetch, nothing else stops a page on
 * another site from opening one, so the server decides here (play-with-docker's
 * upgrade that accepts any origin is the example to avoid).
 *
 * With a public URL configured, only pages from that origin are accepted: it is
 * the address learners use, whatever Host the proxy in front passes on, and
 * naming it also shuts out DNS-rebinding pages that would otherwise match their
 * own Host. Without one, the page must come from the host the request was sent
 * to: the Host header, or X-Forwarded-Host when the proxy is trusted (Fastify's
 * `request.host`); the scheme is compared only when a trusted proxy said the
 * request was https, since the server itself only speaks plain http.
 */

export interface OriginPolicy {
  /** The origin of DRYDOCK_PUBLIC_URL (e.g. "https://drydock.example.org"), if set. */
  publicOrigin: string | undefined;
}

export interface HandshakeFacts {
  /** The Origin header; absent for clients that are not browsers (they still need the token). */
  origin: string | undefined;
  /** The host the client addressed, as Fastify resolves it (X-Forwarded-Host only when trusted). */
  host: string | undefined;
  /** "http" or "https"; "https" only when a trusted proxy said so. */
  protocol: string;
}

export type OriginVerdict = { allowed: true } | { allowed: false; expected: string };

export function checkOrigin(policy: OriginPolicy, facts: HandshakeFacts): OriginVerdict {
  const { origin, host, protocol } = facts;
  if (origin === undefined) return { allowed: true };
  if (policy.publicOrigin !== undefined) {
    return origin === policy.publicOrigin
      ? { allowed: true }
      : { allowed: false, expected: policy.publicOrigin };
  }
  const expected = `${protocol === 'https' ? 'https' : 'http(s)'}://${host ?? '?'}`;
  let page: URL;
  try {
    page = new URL(origin); // "null" (sandboxed frames, file: pages) does not parse
  } catch {
    return { allowed: false, expected };
  }
  const sameHost = host !== undefined && page.host === host.toLowerCase();
  const sameScheme = protocol !== 'https' || page.protocol === 'https:';
  return sameHost && sameScheme ? { allowed: true } : { allowed: false, expected };
}

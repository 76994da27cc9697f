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
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_FORBIDDEN_ORIGIN } from '../../protocol/close-codes.ts';

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

/**
 * Whether a WebSocket's page may use it; if not, the socket is closed with 4403
 * and the reason, and the refusal is logged with what the server expected.
 */
export function admitPage(
  policy: OriginPolicy,
  socket: WebSocket,
  request: FastifyRequest,
): boolean {
  const origin = request.headers.origin;
  const verdict = checkOrigin(policy, { origin, host: request.host, protocol: request.protocol });
  if (verdict.allowed) return true;
  // Warn: behind a proxy, this is how a missing DRYDOCK_PUBLIC_URL shows up.
  request.log.warn(
    { origin, expected: verdict.expected },
    `refused a WebSocket for a page from ${origin}: this server accepts only ${verdict.expected} (set DRYDOCK_PUBLIC_URL to the address people use; docs/reverse-proxy.md)`,
  );
  socket.close(CLOSE_FORBIDDEN_ORIGIN, 'This page’s address is not one this lab server accepts.');
  return false;
}

/**
 * Refuses a state-changing request from a page on another site: the same rule
 * the terminal applies to its WebSocket (terminal/origin-check.ts), for the
 * requests a sign-in cookie can authorise, and for the sign-in itself (so that
 * another site cannot sign a visitor into an account of its choosing).
 * SameSite=Lax already keeps the cookie off other sites' POSTs; this is the
 * second lock, and the one that holds where SameSite is not honoured.
 * Requests without an Origin header (curl, the CLI) pass: they carry no
 * visitor's cookie unless their author put it there.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { checkOrigin, type OriginPolicy } from '../terminal/origin-check.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function assertSameOrigin(policy: OriginPolicy, request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  const verdict = checkOrigin(policy, { origin, host: request.host, protocol: request.protocol });
  if (verdict.allowed) return;
  request.log.warn(
    { origin, expected: verdict.expected },
    `refused ${request.method} ${request.url.split('?')[0]} from a page at ${origin}: this server accepts only ${verdict.expected} (DRYDOCK_PUBLIC_URL; docs/reverse-proxy.md)`,
  );
  throw new AppError(
    'ORIGIN_REFUSED',
    `This request came from a page at ${origin}; this server accepts only ${verdict.expected}.`,
  );
}

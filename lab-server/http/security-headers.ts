/**
 * Security headers on every answer, pages and API alike, with @fastify/helmet.
 * Only what the site can keep: framing by the site itself (X-Frame-Options and
 * CSP frame-ancestors), nosniff, a referrer policy, and helmet's cross-origin
 * isolation headers. The CSP deliberately has no script-src or style-src:
 * Starlight pages carry inline scripts and styles that such a policy would
 * block. HSTS is left to the TLS-terminating proxy (docs/operating.md), which
 * knows whether the site is served over HTTPS at all.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc,
        frameAncestors: ["'self'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'sameorigin' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: false,
  });
}

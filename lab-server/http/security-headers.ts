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

const REFERRER_POLICY = 'strict-origin-when-cross-origin';
const CSP: Record<string, string[]> = {
  'frame-ancestors': ["'self'"],
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
};

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc,
        ...CSP,
      },
    },
    frameguard: { action: 'sameorigin' },
    referrerPolicy: { policy: REFERRER_POLICY },
    strictTransportSecurity: false,
  });
}

/**
 * The same essentials for answers Fastify sends before any hook runs (a URL
 * that cannot be decoded): helmet's hooks never see those requests.
 */
export const BASELINE_HEADERS: Record<string, string> = {
  'content-security-policy': Object.entries(CSP)
    .map(([directive, values]) => `${directive} ${values.join(' ')}`)
    .join(';'),
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  'referrer-policy': REFERRER_POLICY,
};

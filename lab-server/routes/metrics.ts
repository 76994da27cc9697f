/**
 * `/metrics` in Prometheus's text format. Prometheus scrapes without cookies,
 * so access is by where the request comes from or by a bearer token:
 * without DRYDOCK_METRICS_TOKEN only this machine may read it, and a request
 * a proxy forwarded (X-Forwarded-For or Forwarded present) counts as one from
 * the network, so a reverse proxy in front cannot expose it by accident; with
 * the token set, whoever presents it may read it from anywhere, and nobody
 * else, loopback included.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { isLoopback } from '../config.ts';
import { AppError } from '../errors.ts';
import { bearerToken } from './sessions.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request came straight from this machine, not through a proxy. */
function fromThisMachine(request: FastifyRequest): boolean {
  const forwarded =
    request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && isLoopback(request.ip.replace(/^::ffff:/, ''));
}

export function metricsRoutes(registry: Registry, token: string | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', async (request, reply) => {
      const presented = bearerToken(request);
      const allowed = token
        ? presented !== undefined && timingSafeEqual(digest(presented), digest(token))
        : fromThisMachine(request);
      if (!allowed)
        throw new AppError(
          'METRICS_REFUSED',
          token
            ? 'Metrics need the token the operator set in DRYDOCK_METRICS_TOKEN (Authorization: Bearer <token>).'
            : 'Metrics are served only to this machine; set DRYDOCK_METRICS_TOKEN to let a scraper elsewhere read them.',
        );
      reply.header('cache-control', 'no-store').type(registry.contentType);
      return registry.metrics();
    });
  };
}

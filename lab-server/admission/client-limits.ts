/**
 * Per-client request limits for the API, with @fastify/rate-limit: every
 * /api route (and the API's 404s) counts toward DRYDOCK_API_RATE per minute;
 * sandbox creations count toward DRYDOCK_CREATE_RATE, checked by admission.
 * A client is clientOf(request.ip): the address (after DRYDOCK_TRUST_PROXY),
 * IPv6 cut to its /64, the same identity as for sessions per client.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Signals } from '../signals.ts';
import type { RateCheck } from './admission.ts';
import { clientOf } from './client-id.ts';

/** Registers the API-wide limit on `api` (an encapsulated scope) and returns the creation-rate checker. */
export async function registerClientLimits(
  api: FastifyInstance,
  config: Config,
  signals?: Signals,
): Promise<RateCheck> {
  await api.register(rateLimit, {
    global: true,
    onExceeded: () => signals?.emit('admission-refused', { cause: 'api-rate' }),
    max: config.clients.apiPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => clientOf(request.ip),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'RATE_LIMITED',
        `Too many requests from your address (more than ${context.max} a minute). Try again in ${Math.ceil(context.ttl / 1000)} s.`,
        {
          retryAfter: Math.ceil(context.ttl / 1000),
        },
      ),
  });
  return api.createRateLimit({
    max: config.clients.createPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => clientOf(request.ip),
  });
}

/**
 * Per-learner and per-address request limits for the API, with
 * @fastify/rate-limit. Every /api route (and the API's 404s) counts toward
 * DRYDOCK_API_RATE per minute for the learner and DRYDOCK_API_RATE_PER_ADDRESS
 * for the address; sandbox creations count toward DRYDOCK_CREATE_RATE and
 * DRYDOCK_CREATE_RATE_PER_ADDRESS, checked by admission. A learner is the
 * identity the browser sends, else the address (client-id.ts); a class behind
 * one school or office address shares only the per-address limits.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Signals } from '../signals.ts';
import type { RateCheck } from './admission.ts';
import { clientOf, identityOf, learnerKey } from './client-id.ts';

export interface CreateRates {
  learner: RateCheck;
  address: RateCheck;
}

const addressKey = (request: FastifyRequest) => clientOf(request.ip);

function rateLimited(max: number, ttlMs: number, whose: string): AppError {
  const seconds = Math.ceil(ttlMs / 1000);
  return new AppError(
    'RATE_LIMITED',
    `Too many requests from ${whose} (more than ${max} a minute). Try again in ${seconds} s.`,
    { retryAfter: seconds },
  );
}

/** Registers the API-wide limits on `api` (an encapsulated scope) and returns the creation-rate checkers. */
export async function registerClientLimits(
  api: FastifyInstance,
  config: Config,
  signals?: Signals,
): Promise<CreateRates> {
  // A malformed learner id is refused before any limit counts it (400 with the reason).
  api.addHook('onRequest', async (request) => {
    identityOf(request);
  });
  await api.register(rateLimit, {
    global: true,
    onExceeded: () => signals?.emit('admission-refused', { cause: 'api-rate' }),
    max: config.clients.apiPerMinute,
    timeWindow: 60_000,
    keyGenerator: learnerKey,
    errorResponseBuilder: (_request, context) => rateLimited(context.max, context.ttl, 'you'),
  });
  const perAddress = api.createRateLimit({
    max: config.clients.apiPerAddressPerMinute,
    timeWindow: 60_000,
    keyGenerator: addressKey,
  });
  api.addHook('onRequest', async (request) => {
    const rate = await perAddress(request);
    if (!rate.isAllowed && rate.isExceeded) {
      signals?.emit('admission-refused', { cause: 'api-rate' });
      throw rateLimited(rate.max, rate.ttl, 'your network address');
    }
  });
  return {
    learner: api.createRateLimit({
      max: config.clients.createPerMinute,
      timeWindow: 60_000,
      keyGenerator: learnerKey,
    }),
    address: api.createRateLimit({
      max: config.clients.createPerAddressPerMinute,
      timeWindow: 60_000,
      keyGenerator: addressKey,
    }),
  };
}

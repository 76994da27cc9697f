/**
 * The operator's API under /api/admin (what `drydock sessions` calls): list every
 * session, end one, give one more time; see and reserve warm pools. Each request needs the admin token
 * (admin/token.ts) as `Authorization: Bearer <token>`, from any address. These
 * routes sit outside the learners' per-client rate limit (an operator's script
 * must not compete with learners); only wrong tokens are limited, per client.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import {
  OperatorExtendBodySchema,
  OperatorSessionListSchema,
  OperatorSessionSchema,
  type OperatorExtendBody,
  type OperatorSession,
  type OperatorSessionList,
} from '../../protocol/session.ts';
import { clientOf } from '../admission/client-id.ts';
import { sameToken, serverAdminToken } from '../admin/token.ts';
import { AppError } from '../errors.ts';
import type { Session } from '../sessions/session.ts';
import { classAdminRoutes } from './classes.ts';
import { availableSessions, bearerToken, idParams, sessionBasics } from './sessions.ts';

/** Wrong tokens one client may send per minute before every admin request of it answers 429. */
export const WRONG_TOKENS_PER_MINUTE = 10;

const poolParams = z.object({ lab: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,99}$/)) });

/** `size` 0 cancels the reservation; `readyBy` is when the class starts. */
const PoolReservationBodySchema = z.strictObject({
  size: z.int().check(z.minimum(0)),
  readyBy: z.iso.datetime({ offset: true }),
});

/** What the operator sees of a session: everything but its token. */
export function presentForOperator(session: Session): OperatorSession {
  return {
    ...sessionBasics(session),
    lastActivityAt: new Date(session.lastActivity).toISOString(),
    extensions: session.extensions,
    terminals: session.terminals,
    ...(session.sandbox ? { container: session.sandbox.id.slice(0, 12) } : {}),
  };
}

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const config = app.config;
  const token = serverAdminToken(config.adminToken, config.stateDir);
  await app.register(rateLimit, { global: false });
  const wrongTokens = app.createRateLimit({
    max: WRONG_TOKENS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => clientOf(request.ip),
  });

  const requireAdmin = app.accounts.requireRole('admin');
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const peek = await wrongTokens(request, { increment: false });
    if (!peek.isAllowed && peek.remaining <= 0) {
      throw new AppError(
        'RATE_LIMITED',
        `Too many wrong admin tokens from your address. Try again in ${peek.ttlInSeconds} s.`,
        { retryAfter: peek.ttlInSeconds },
      );
    }
    const presented = bearerToken(request);
    if (presented !== undefined && sameToken(presented, token)) return;
    // Without a token, a signed-in admin: requireRole refuses other roles (403) and other sites' pages.
    if (presented === undefined && (await app.accounts.signedIn(request)))
      return requireAdmin.call(app, request, reply);
    reply.header('www-authenticate', 'Bearer realm="drydock-admin"');
    if (presented === undefined) {
      throw new AppError(
        'ADMIN_UNAUTHORIZED',
        'The admin API needs the operator’s token as "Authorization: Bearer <token>" (DRYDOCK_ADMIN_TOKEN, or the file admin-token in the server’s state directory), or a signed-in admin.',
      );
    }
    await wrongTokens(request);
    request.log.warn({ client: clientOf(request.ip) }, 'admin API: wrong token');
    throw new AppError(
      'ADMIN_UNAUTHORIZED',
      'The admin token is wrong: use DRYDOCK_ADMIN_TOKEN, or the file admin-token in the server’s state directory.',
    );
  });

  const sessions = () => availableSessions(app);
  const find = (id: string): Session => {
    const session = sessions().find(id);
    if (!session) throw new AppError('SESSION_NOT_FOUND', `No session has the id ${id}.`);
    return session;
  };

  app.get(
    '/sessions',
    { schema: { response: { 200: OperatorSessionListSchema } } },
    async (): Promise<OperatorSessionList> => ({
      sessions: sessions()
        .list()
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map(presentForOperator),
    }),
  );

  app.delete<{ Params: { id: string } }>(
    '/sessions/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const session = find(request.params.id);
      if (!session.live)
        throw new AppError('SESSION_ENDED', `It already ended: ${session.message}`);
      await sessions().end(session, 'operator');
      request.log.info({ session: session.id, lab: session.lab.slug }, 'ended by the operator');
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: OperatorExtendBody | undefined }>(
    '/sessions/:id/extend',
    {
      schema: {
        params: idParams,
        body: OperatorExtendBodySchema,
        response: { 200: OperatorSessionSchema },
      },
    },
    async (request) => {
      const session = find(request.params.id);
      // Without `minutes`, the learner's extension length (or 30 minutes where learners get none).
      const ms = request.body?.minutes
        ? request.body.minutes * 60_000
        : config.extensionMs || 30 * 60_000;
      await sessions().prolong(session, ms, 'operator');
      return presentForOperator(session);
    },
  );

  await app.register(classAdminRoutes);

  app.get('/pools', async () => {
    sessions();
    return { pools: app.pool.status() };
  });

  app.put<{ Params: { lab: string }; Body: { size: number; readyBy: string } }>(
    '/pools/:lab',
    {
      schema: {
        params: poolParams,
        body: PoolReservationBodySchema,
      },
    },
    async (request) => {
      sessions();
      const lab = app.labs.lab(request.params.lab);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.params.lab}".`);
      const { size, readyBy } = request.body;
      if (size > config.maxSandboxes)
        throw new AppError(
          'BAD_REQUEST',
          `A pool of ${size} is more than this server may run at once (DRYDOCK_MAX_SANDBOXES=${config.maxSandboxes}).`,
        );
      if (size > config.warm.max)
        throw new AppError(
          'BAD_REQUEST',
          `A pool of ${size} is more than all warm pools together may hold (DRYDOCK_WARM_MAX=${config.warm.max}).`,
        );
      return app.pool.reserve(lab.slug, size, new Date(readyBy));
    },
  );
}

/**
 * Probes for whoever runs the server (an orchestrator, a load balancer, a
 * monitor): `/healthz` answers while the process serves at all; `/readyz`
 * answers 200 only while labs can start, and otherwise 503 with the reason.
 * Both live outside /api, so the per-client rate limits never throttle a
 * probe, and both only read state the platform already keeps.
 */
import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_request, reply) => {
    const { state, reason, available } = app.backend.status;
    reply.header('cache-control', 'no-store');
    if (!available) return reply.code(503).send({ ready: false, state, reason });
    return { ready: true, state };
  });
}

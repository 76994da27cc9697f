/**
 * Probes for whoever runs the server (an orchestrator, a load balancer, a
 * monitor): `/healthz` answers while the process serves at all; `/readyz`
 * answers 200 only while labs can start, and otherwise 503 with the reason.
 * Both live outside /api, so the per-client rate limits never throttle a
 * probe, and both only read state the platform already keeps.
 */
import type { FastifyInstance } from 'fastify';
import {
  LivenessSchema,
  ReadinessSchema,
  type Liveness,
  type Readiness,
} from '../../protocol/status.ts';
import { labsStatus } from './status.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    { schema: { response: { 200: LivenessSchema } } },
    async (_request, reply): Promise<Liveness> => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    },
  );

  const readiness = ReadinessSchema;
  app.get(
    '/readyz',
    { schema: { response: { 200: readiness, 503: readiness } } },
    async (_request, reply) => {
      const status = labsStatus(app.backend.status);
      reply.header('cache-control', 'no-store');
      if (!status.available) {
        const answer: Readiness = { ready: false, state: status.state, reason: status.reason };
        return reply.code(503).send(answer);
      }
      const answer: Readiness = { ready: true, state: status.state };
      return answer;
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { LabsStatusSchema, StatusResponseSchema, type LabsStatus } from '../../protocol/status.ts';

/**
 * The platform's status as the protocol has it. backend/sandbox-backend.ts types it loosely
 * (`available: boolean` beside any state); parsing here makes a status off the
 * contract a logged 500 instead of an answer the browser cannot read.
 */
export function labsStatus(status: unknown): LabsStatus {
  return LabsStatusSchema.parse(status);
}

export async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get('/status', { schema: { response: { 200: StatusResponseSchema } } }, async (request) => {
    const status = labsStatus(app.backend.status);
    if (status.available && status.unsupported) {
      // A lab the caller may not see is not named here either (docs/content-visibility.md).
      const labs = await app.visibility.labsFor(request);
      const named = Object.entries(status.unsupported).filter(([slug]) =>
        labs.some((lab) => lab.slug === slug),
      );
      const { unsupported: _all, ...rest } = status;
      return { labs: named.length ? { ...rest, unsupported: Object.fromEntries(named) } : rest };
    }
    return { labs: status };
  });
}

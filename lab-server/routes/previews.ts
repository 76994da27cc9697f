/**
 * The lab page's side of previews, under a session like its other routes (the
 * session's token as a bearer): a one-time link to a port's preview, and the
 * ports something listens on. The preview itself is served on its own host
 * (plugins/preview.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import {
  ListeningPortsSchema,
  PreviewLinkSchema,
  PreviewRequestSchema,
  type ListeningPorts,
  type PreviewLink,
  type PreviewRequest,
} from '../../protocol/preview.ts';
import { SESSION_ID } from '../../protocol/session.ts';
import { AppError } from '../errors.ts';
import type { PreviewHost } from '../preview/preview-host.ts';
import { PortClosedError } from '../sandbox/port-forwarder.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { Session } from '../sessions/session.ts';
import { availableSessions, bearerToken } from './sessions.ts';

const params = z.object({ id: z.string().check(z.regex(SESSION_ID)) });
/** How long the check that something listens may take. */
const PROBE_TIMEOUT_MS = 10_000;

export async function previewRoutes(app: FastifyInstance): Promise<void> {
  const previews = (): PreviewHost => {
    if (!app.previews) throw new AppError('PREVIEW_UNAVAILABLE');
    return app.previews;
  };
  /** The session's sandbox, ready: previews of a starting or ended one are refused with why. */
  const readySession = async (
    request: FastifyRequest<{ Params: { id: string } }>,
  ): Promise<{ session: Session; sandbox: Sandbox }> => {
    const session = await availableSessions(app).lookup(request.params.id, bearerToken(request));
    session.touch();
    if (!session.live)
      throw new AppError('SESSION_ENDED', `This session has ended: ${session.message}`);
    if (session.state !== 'ready' || !session.sandbox)
      throw new AppError('SESSION_NOT_READY', `The sandbox is not ready yet: ${session.message}`);
    return { session, sandbox: session.sandbox };
  };

  app.post<{ Params: { id: string }; Body: PreviewRequest }>(
    '/sessions/:id/previews',
    {
      schema: {
        params,
        body: PreviewRequestSchema,
        response: { 201: PreviewLinkSchema },
      },
    },
    async (request, reply) => {
      const host = previews();
      const { session, sandbox } = await readySession(request);
      const { port } = request.body;
      // Said here, on the lab page, rather than in a tab that opens onto an error.
      try {
        (await sandbox.openPort(port, PROBE_TIMEOUT_MS)).destroy();
      } catch (error) {
        if (!(error instanceof PortClosedError)) throw error;
        throw new AppError(
          'PORT_CLOSED',
          `Nothing listens on port ${port} in your sandbox. Start a web server there (or publish a container's port with docker run -p ${port}:…), then try again.`,
        );
      }
      const link: PreviewLink = host.link(session, port, request.headers.host);
      request.log.info({ session: session.id, lab: session.lab.slug, port }, 'preview link made');
      return reply.code(201).send(link);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/sessions/:id/previews/ports',
    { schema: { params, response: { 200: ListeningPortsSchema } } },
    async (request): Promise<ListeningPorts> => {
      previews();
      const { sandbox } = await readySession(request);
      return { ports: await sandbox.listeningPorts() };
    },
  );
}

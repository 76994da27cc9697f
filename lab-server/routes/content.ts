/**
 * `GET /api/content/mine` (docs/content-visibility.md): the restricted labs and
 * lessons this caller's sign-in groups let them see, for the labs index to list
 * (the static site leaves them out of every list). Anyone else gets an empty
 * list, never an error: every visitor's page asks.
 */
import type { FastifyInstance } from 'fastify';
import { type MyContent, MyContentSchema } from '../../protocol/content.ts';
import { MEMBERS_ONLY } from '../http/restricted-page-gate.ts';

export async function contentRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/content/mine',
    { schema: { response: { 200: MyContentSchema } } },
    async (request, reply): Promise<MyContent> => {
      reply.header('cache-control', MEMBERS_ONLY);
      const pages = app.visibility.pages.pages.length
        ? app.visibility.pages.visibleTo(await app.visibility.readerOf(request))
        : [];
      return { pages: pages.map(({ href, title, kind }) => ({ href, title, kind })) };
    },
  );
}

/**
 * The static site's half of restricted content (docs/content-visibility.md): a
 * request for a page only some groups may see, by anyone not signed in with one
 * of them, gets the site's not-found answer, the very one a page that does not
 * exist gets (status, body, headers: no "forbidden" that would tell it exists).
 * A member gets the page, marked `private, no-store` so that no shared cache
 * keeps it for the next person. Before @fastify/static: its redirect of
 * `/labs/x` to `/labs/x/` would tell that the folder exists.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mayRead } from '../visibility/restricted-pages.ts';

export const MEMBERS_ONLY = 'private, no-store';

export function registerRestrictedPageGate(app: FastifyInstance): void {
  const members = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    const page = app.visibility.pages.at(request.url);
    if (!page) return;
    if (mayRead(await app.visibility.readerOf(request), page.groups)) {
      members.add(request);
      return;
    }
    reply.callNotFound();
    return reply;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (members.has(request)) reply.header('cache-control', MEMBERS_ONLY);
    return payload;
  });
}

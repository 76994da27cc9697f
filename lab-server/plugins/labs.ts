/**
 * The labs and image recipes as a Fastify part, loaded at boot; in the dev loop,
 * read again whenever a lab's files change (labs/lab-watch.ts).
 */
import fp from 'fastify-plugin';
import { LabCatalog } from '../labs/catalog.ts';
import { watchLabs } from '../labs/lab-watch.ts';

declare module 'fastify' {
  interface FastifyInstance {
    labs: LabCatalog;
  }
}

export const labsPlugin = fp(
  async (app) => {
    app.decorate('labs', new LabCatalog(app.config.content));
    if (app.config.dev) {
      const watch = watchLabs(app.labs, app.log);
      app.addHook('onClose', async () => watch.close());
    }
  },
  { name: 'drydock-labs', decorators: { fastify: ['config'] } },
);

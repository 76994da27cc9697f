/** The labs and image recipes as a Fastify part, loaded once at boot. */
import fp from 'fastify-plugin';
import { LabCatalog } from '../labs/catalog.ts';

declare module 'fastify' {
  interface FastifyInstance {
    labs: LabCatalog;
  }
}

export const labsPlugin = fp(
  async (app) => {
    app.decorate('labs', new LabCatalog(app.config.root));
  },
  { name: 'drydock-labs', decorators: { fastify: ['config'] } },
);

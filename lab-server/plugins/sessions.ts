/**
 * The session manager as a Fastify part, wired to the store and the backend.
 * Once the app is ready the backend prepares; when it is prepared, the manager
 * reconciles the store with the engine and sessions can start. It closes before
 * the backend and the store (Fastify closes parts in reverse order).
 */
import fp from 'fastify-plugin';
import { SessionManager } from '../sessions/session-manager.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionManager;
  }
}

export const sessionsPlugin = fp(
  async (app) => {
    const sessions = new SessionManager({
      store: app.store,
      owner: app.config.owner,
      limits: app.config,
      findLab: (slug) => app.labs.lab(slug),
      log: app.log,
      signals: app.signals,
    });
    app.decorate('sessions', sessions);
    app.addHook('onReady', async () => app.backend.start((prepared) => sessions.attach(prepared)));
    app.addHook('onClose', () => sessions.close());
  },
  {
    name: 'drydock-sessions',
    dependencies: ['drydock-store', 'drydock-labs', 'drydock-backend'],
    decorators: { fastify: ['config', 'signals'] },
  },
);

/**
 * Live checks as a Fastify part: they follow the session manager's sessions
 * (through the app's signals) and stop following them before the manager
 * closes (Fastify closes parts in reverse order).
 */
import fp from 'fastify-plugin';
import { LiveChecks } from '../live-checks/live-checks.ts';

declare module 'fastify' {
  interface FastifyInstance {
    liveChecks: LiveChecks;
  }
}

export const liveChecksPlugin = fp(
  async (app) => {
    const liveChecks = new LiveChecks({
      manager: app.sessions,
      signals: app.signals,
      settings: app.config.liveChecks,
      log: app.log,
    });
    app.decorate('liveChecks', liveChecks);
    app.addHook('onClose', async () => liveChecks.close());
  },
  {
    name: 'drydock-live-checks',
    dependencies: ['drydock-sessions'],
    decorators: { fastify: ['config', 'signals'] },
  },
);

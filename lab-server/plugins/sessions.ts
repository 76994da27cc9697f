/**
 * The session manager as a Fastify part, wired to the store and the backend.
 * Once the app is ready the backend prepares; when it is prepared, the manager
 * reconciles the store with the engine and sessions can start. It closes before
 * the backend and the store (Fastify closes parts in reverse order).
 */
import fp from 'fastify-plugin';
import type { Lab } from '../../lab-format/load.ts';
import { ConfigError } from '../config.ts';
import { SessionManager } from '../sessions/session-manager.ts';
import { WarmPool } from '../sessions/warm-pool.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionManager;
    pool: WarmPool;
  }
}

export const sessionsPlugin = fp(
  async (app) => {
    const { config } = app;
    const unknown = Object.keys(config.warm.pools).filter((slug) => !app.labs.lab(slug));
    if (unknown.length > 0)
      throw new ConfigError(
        `Invalid configuration:\n  DRYDOCK_WARM_POOLS: no lab is called ${unknown.map((s) => `"${s}"`).join(', ')}`,
      );
    const findLab = (slug: string) => app.labs.lab(slug);
    const labVersion = (lab: Lab) => app.labs.version(lab);
    const pool: WarmPool = new WarmPool({
      store: app.store,
      owner: config.owner,
      log: app.log,
      findLab,
      labVersion,
      configured: config.warm.pools,
      max: config.warm.max,
      setupTimeoutMs: config.setupTimeoutMs,
      // A pool grows only into room a learner would not miss: by count, and by the
      // memory admission measures (warm sandboxes are in its reading), two slots
      // free (the warm sandbox's and a learner's).
      mayGrow: async () =>
        sessions.liveCount + pool.size + 1 < config.maxSandboxes &&
        app.admission.line.length === 0 &&
        (await app.admission.slots()) >= 2,
      busy: () => sessions.counts.starting > 0,
    });
    const sessions: SessionManager = new SessionManager({
      store: app.store,
      owner: config.owner,
      limits: config,
      findLab,
      labVersion,
      log: app.log,
      signals: app.signals,
      pool,
    });
    app.decorate('sessions', sessions);
    app.decorate('pool', pool);
    app.addHook('onReady', async () => app.backend.start((prepared) => sessions.attach(prepared)));
    app.addHook('onClose', () => sessions.close());
  },
  {
    name: 'drydock-sessions',
    dependencies: ['drydock-store', 'drydock-labs', 'drydock-backend'],
    decorators: { fastify: ['config', 'signals'] },
  },
);

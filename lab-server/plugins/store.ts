/**
 * The session store as a Fastify part: opened (and migrated) at boot unless the
 * caller injects one, closed last, after every part that writes to it.
 */
import fp from 'fastify-plugin';
import { SessionStore } from '../store/session-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    store: SessionStore;
  }
}

export interface StoreOptions {
  /** A store the caller opened and will close (tests share one across restarts). */
  store?: SessionStore | undefined;
}

export const storePlugin = fp<StoreOptions>(
  async (app, options) => {
    const store = options.store ?? (await SessionStore.open(app.config.database));
    app.decorate('store', store);
    if (!options.store) app.addHook('onClose', () => store.close());
    app.log.info(`sessions are kept in ${store.description}`);
  },
  { name: 'drydock-store', decorators: { fastify: ['config'] } },
);

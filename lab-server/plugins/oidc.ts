/**
 * OpenID Connect sign-in as a Fastify part: the relying party (the provider's
 * client) and the users it signs in, or `undefined` when the operator set no
 * provider. Discovery starts when the server is ready and is not waited for: a
 * provider that is down must not keep the site and the labs from serving.
 */
import fp from 'fastify-plugin';
import { OidcUsers } from '../oidc/oidc-users.ts';
import { RelyingParty } from '../oidc/relying-party.ts';

export interface Oidc {
  relyingParty: RelyingParty;
  users: OidcUsers;
}

declare module 'fastify' {
  interface FastifyInstance {
    oidc: Oidc | undefined;
  }
}

export const oidcPlugin = fp(
  async (app) => {
    const settings = app.config.oidc;
    if (!settings) {
      app.decorate('oidc', undefined);
      return;
    }
    const relyingParty = new RelyingParty(settings, app.log);
    app.decorate('oidc', {
      relyingParty,
      users: new OidcUsers(app.store.accounts, settings.roles),
    });
    // Logged inside when it fails; the first sign-in tries again.
    app.addHook('onReady', async () => void relyingParty.configuration().catch(() => {}));
  },
  {
    name: 'drydock-oidc',
    dependencies: ['drydock-store', 'drydock-accounts'],
    decorators: { fastify: ['config'] },
  },
);

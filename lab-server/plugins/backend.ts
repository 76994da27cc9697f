/**
 * The sandbox backend as a Fastify part: the Docker one unless the caller
 * injects another (tests: an in-memory provider). It starts preparing when the
 * sessions part is ready for it (sessions.ts).
 */
import fp from 'fastify-plugin';
import { DockerBackend } from '../backend/docker-backend.ts';
import type { SandboxBackend } from '../backend/sandbox-backend.ts';

declare module 'fastify' {
  interface FastifyInstance {
    backend: SandboxBackend;
  }
}

export interface BackendOptions {
  backend?: SandboxBackend | undefined;
}

export const backendPlugin = fp<BackendOptions>(
  async (app, options) => {
    const backend =
      options.backend ?? new DockerBackend(app.config, app.labs, app.log, app.signals);
    app.decorate('backend', backend);
    app.addHook('onClose', () => backend.close());
  },
  {
    name: 'drydock-backend',
    dependencies: ['drydock-labs'],
    decorators: { fastify: ['config', 'signals'] },
  },
);

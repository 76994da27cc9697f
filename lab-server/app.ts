/**
 * The lab server as a Fastify plugin tree: the API under /api, the terminal
 * WebSocket, and the built site. `server.ts` only listens and closes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { Admission } from './admission/admission.ts';
import { registerClientLimits } from './admission/client-limits.ts';
import { HostProbe } from './admission/host-probe.ts';
import type { Config } from './config.ts';
import { connect } from './docker/engine.ts';
import { AppError, ERRORS } from './errors.ts';
import { Platform } from './platform.ts';
import { adminRoutes } from './routes/admin.ts';
import { labRoutes } from './routes/labs.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { statusRoutes } from './routes/status.ts';
import { terminalRoutes } from './routes/terminal.ts';
import { onSocketError } from './terminal/socket-errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
    admission: Admission;
  }
}

/** A hop count as Fastify's trust function: trust the `hops` proxies nearest to the server. */
const hopsOf = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildApp(
  config: Config,
  options: { logger?: boolean | object } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 16 * 1024,
    // Request lines only when debugging: the useful lines carry session and lab ids.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors Fastify raises before routing (a malformed URL) get the API's error shape too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ error: { code: 'BAD_REQUEST', message: error.message } });
    },
    // Behind a reverse proxy, request.ip (the client identity for per-client limits) comes from X-Forwarded-For.
    trustProxy:
      typeof config.trustProxy === 'number' ? hopsOf(config.trustProxy) : config.trustProxy,
  });

  app.decorate('platform', new Platform(config, app.log));
  app.addHook('onReady', async () => app.platform.start());
  app.addHook('onClose', async () => app.platform.close());

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500 && error.code !== 'FULL')
        request.log.error({ err: error }, error.message);
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return reply
        .code(error.status)
        .send({ error: { code: error.code, message: error.message, ...error.details } });
    }
    if (error.validation) {
      return reply
        .code(400)
        .send({ error: { code: 'BAD_REQUEST', message: `Invalid request: ${error.message}` } });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message } });
  });

  // A frame over 64 KiB closes the socket with 1009 (docs/api.md); keystrokes and control messages are far smaller.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 64 * 1024 },
    errorHandler: onSocketError,
  });
  await app.register(
    async (api) => {
      const createRate = await registerClientLimits(api, config);
      const probe = new HostProbe(connect(config.dockerHost), config.dockerHost, app.log);
      app.decorate(
        'admission',
        new Admission({
          limits: config,
          live: () => app.platform.sessions?.liveCount ?? 0,
          facts: () => probe.facts(),
          createRate,
          log: app.log,
        }),
      );
      await api.register(statusRoutes);
      await api.register(labRoutes);
      await api.register(sessionRoutes);
      await api.register(terminalRoutes);
      api.setNotFoundHandler({ preHandler: api.rateLimit() }, (request, reply) =>
        reply.code(404).send({
          error: {
            code: 'NOT_FOUND',
            message: `No API route ${request.method} ${request.url.split('?')[0]}`,
          },
        }),
      );
    },
    { prefix: '/api' },
  );

  // A scope of its own: outside the learners' per-client limits, behind the admin token.
  await app.register(adminRoutes, { prefix: '/api/admin' });

  const site = join(config.root, 'dist');
  if (existsSync(site)) {
    await app.register(fastifyStatic, { root: site, redirect: true, cacheControl: false });
    app.setNotFoundHandler((_request, reply) =>
      reply.code(404).type('text/html').sendFile('404.html'),
    );
  } else {
    app.log.warn(
      'dist/ is missing: the site is not built (npm start builds it); serving the API only',
    );
  }
  return app;
}

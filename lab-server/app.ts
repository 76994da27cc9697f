/**
 * The composition root: the lab server as a Fastify plugin tree. The parts
 * (labs, session store, sandbox backend, sessions) are plugins with declared
 * dependencies; a caller may inject the store and the backend. Then the API
 * under /api, the terminal WebSocket, and the built site. `server.ts` only
 * listens and closes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import { Admission } from './admission/admission.ts';
import { registerClientLimits } from './admission/client-limits.ts';
import type { Config } from './config.ts';
import { MAX_FRAME_BYTES } from '../protocol/flow-control.ts';
import { AppError, ERRORS } from './errors.ts';
import { registerRestrictedPageGate } from './http/restricted-page-gate.ts';
import { fieldOf, zodSchemaOptions } from './http/zod-schemas.ts';
import { BASELINE_HEADERS, registerSecurityHeaders } from './http/security-headers.ts';
import { staticCacheHeaders } from './http/static-caching.ts';
import { loggerOptions, RedactingLogController } from './observability/logging.ts';
import { createMetrics } from './observability/metrics.ts';
import { liveChecksPlugin } from './plugins/live-checks.ts';
import type { SandboxBackend } from './backend/sandbox-backend.ts';
import { accountsPlugin } from './plugins/accounts.ts';
import { visibilityPlugin } from './plugins/visibility.ts';
import { backendPlugin } from './plugins/backend.ts';
import { labsPlugin } from './plugins/labs.ts';
import { oidcPlugin } from './plugins/oidc.ts';
import { previewPlugin } from './plugins/preview.ts';
import { capacityPlugin } from './plugins/capacity.ts';
import { classesPlugin } from './plugins/classes.ts';
import { sessionsPlugin } from './plugins/sessions.ts';
import { storePlugin } from './plugins/store.ts';
import { webhooksPlugin } from './plugins/webhooks.ts';
import { healthRoutes } from './routes/health.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { classRoutes } from './routes/classes.ts';
import { contentRoutes } from './routes/content.ts';
import { labRoutes } from './routes/labs.ts';
import { labStatsRoutes } from './routes/lab-stats.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { previewRoutes } from './routes/previews.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { fileRoutes } from './routes/files.ts';
import { sessionTerminalRoutes } from './routes/session-terminals.ts';
import { statusRoutes } from './routes/status.ts';
import { terminalRoutes } from './routes/terminal.ts';
import { classLiveRoutes } from './routes/class-live.ts';
import { Signals } from './signals.ts';
import type { SessionStore } from './store/session-store.ts';
import { onSocketError } from './terminal/socket-errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    admission: Admission;
    /** What the platform reports as it works (sessions, checks, builds, refusals); metrics listen. */
    signals: Signals;
  }
}

/** A hop count as Fastify's trust function: trust the `hops` proxies nearest to the server. */
const hopsOf = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Parts a caller provides instead of the ones `buildApp` would make from the config. */
export interface AppParts {
  /** Opened and closed by the caller (a test that restarts the server keeps one). */
  store?: SessionStore;
  /** Where sandboxes come from; by default the Docker engine of DOCKER_HOST. */
  backend?: SandboxBackend;
  /**
   * The time classes are measured against (a test moves it past a class's grace), and
   * preview links expire by; Date.now by default.
   */
  clock?: () => number;
}

export async function buildApp(
  config: Config,
  options: {
    logger?: boolean | object;
    /** A logger the caller made (the CLI's, to stderr); `logger` is then ignored. */
    loggerInstance?: FastifyBaseLogger;
    parts?: AppParts;
  } = {},
): Promise<FastifyInstance> {
  // Our redaction and serializers always apply; a caller adds a transport or a stream.
  const logger =
    options.logger === false
      ? false
      : {
          ...loggerOptions(config.logLevel),
          ...(typeof options.logger === 'object' ? options.logger : {}),
        };
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger }),
    bodyLimit: 16 * 1024,
    // Request lines only when debugging: the useful lines carry session and lab ids.
    logController: new RedactingLogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    // Requests and answers are checked against protocol/'s Zod schemas (http/zod-schemas.ts).
    ...zodSchemaOptions,
    // Errors Fastify raises before routing (a malformed URL) get the API's error shape too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .headers(BASELINE_HEADERS)
        .send({ error: { code: 'BAD_REQUEST', message: error.message } });
    },
    // Behind a reverse proxy, request.ip (the client identity for per-client limits) comes from X-Forwarded-For.
    trustProxy:
      typeof config.trustProxy === 'number' ? hopsOf(config.trustProxy) : config.trustProxy,
  });

  const signals = new Signals();
  app.decorate('config', config);
  app.decorate('signals', signals);
  const parts = options.parts ?? {};
  await app.register(labsPlugin);
  await app.register(storePlugin, { store: parts.store });
  await app.register(accountsPlugin);
  await app.register(visibilityPlugin);
  await app.register(oidcPlugin);
  await app.register(backendPlugin, { backend: parts.backend });
  await app.register(sessionsPlugin);
  await app.register(liveChecksPlugin);
  await app.register(capacityPlugin);
  // Before the security headers' hook: a preview's answers are the learner's app's own.
  await app.register(previewPlugin, { now: parts.clock });
  await app.register(classesPlugin, { now: parts.clock });
  await app.register(webhooksPlugin);

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
      // The input to blame, for a form to mark: `/name` → `name`.
      const [first] = error.validation;
      const field = first ? fieldOf(first) : undefined;
      return reply.code(400).send({
        error: {
          code: 'BAD_REQUEST',
          message: `Invalid request: ${error.message}`,
          ...(field ? { field } : {}),
        },
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: ERRORS.INTERNAL.message } });
  });

  await registerSecurityHeaders(app);
  // A frame over 64 KiB closes the socket with 1009 (docs/api.md); keystrokes and control messages are far smaller.
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_FRAME_BYTES },
    errorHandler: onSocketError,
  });
  await app.register(
    async (api) => {
      const createRate = await registerClientLimits(api, config, signals);
      const { probe, meter } = app.capacity;
      app.decorate(
        'admission',
        new Admission({
          limits: config,
          live: () => app.sessions.liveCount,
          facts: () => probe.facts(),
          memory: meter,
          createRate,
          log: app.log,
          signals,
          inClass: (learner) => app.classes.inCurrentClass(learner),
        }),
      );
      await api.register(statusRoutes);
      await api.register(labRoutes);
      await api.register(labStatsRoutes);
      await api.register(sessionRoutes);
      await api.register(fileRoutes);
      await api.register(terminalRoutes);
      await api.register(sessionTerminalRoutes);
      await api.register(previewRoutes);
      await api.register(authRoutes);
      await api.register(classRoutes);
      await api.register(classLiveRoutes);
      await api.register(oidcRoutes);
      await api.register(contentRoutes);
      api.setNotFoundHandler({ preHandler: api.rateLimit() }, async (request) => {
        throw new AppError(
          'NOT_FOUND',
          `No API route ${request.method} ${request.url.split('?')[0]}`,
        );
      });
    },
    { prefix: '/api' },
  );

  // Outside /api: probes and scrapers are not learners, and the API's rate limits are not for them.
  await app.register(healthRoutes);
  const metrics = createMetrics(signals, {
    sessions: () => app.sessions.counts,
    waiting: () => app.admission.line.length,
    liveChecks: () => app.liveChecks.counts,
    previewConnections: () => app.previews?.connectionsOpen ?? 0,
  });
  await app.register(metricsRoutes(metrics, config.metricsToken));
  app.addHook('onClose', async () => metrics.clear());

  // A scope of its own: outside the learners' per-client limits, behind the admin token or a signed-in admin.
  await app.register(adminRoutes, { prefix: '/api/admin' });

  const site = join(config.root, 'dist');
  if (existsSync(site)) {
    // Pages kept for some sign-in groups answer 404 to everyone else (docs/content-visibility.md).
    registerRestrictedPageGate(app);
    await app.register(fastifyStatic, {
      root: site,
      redirect: true,
      cacheControl: false,
      // The build writes .br and .gz beside each text file (site/lib/precompress.ts).
      preCompressed: true,
      setHeaders: staticCacheHeaders(site),
    });
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

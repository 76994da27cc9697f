/**
 * The results webhook as a Fastify part. Always: outbox messages older than
 * DRYDOCK_RETENTION_DAYS are deleted hourly. With DRYDOCK_WEBHOOK_URL set: each
 * recorded Check's completed tasks go to the outbox (webhooks/task-completions.ts)
 * and the deliverer sends them, from when the app is ready until it closes.
 */
import fp from 'fastify-plugin';
import { pruneHourly } from './hourly-prune.ts';
import { enqueueCompletions } from '../webhooks/task-completions.ts';
import { WebhookDeliverer } from '../webhooks/webhook-deliverer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined when no webhook is configured. */
    webhooks: WebhookDeliverer | undefined;
  }
}

export const webhooksPlugin = fp(
  async (app) => {
    const { config, store } = app;
    pruneHourly(app, 'old webhook messages', (before) => store.webhooks.forgetBefore(before));

    const settings = config.webhook;
    if (!settings) return void app.decorate('webhooks', undefined);
    const deliverer = new WebhookDeliverer({
      outbox: store.webhooks,
      owner: config.owner,
      url: settings.url,
      secret: settings.secret,
      log: app.log,
      signals: app.signals,
    });
    app.decorate('webhooks', deliverer);
    const sources = {
      sessions: store,
      classes: store.classes,
      outbox: store.webhooks,
      lab: (slug: string) => app.labs.lab(slug),
    };
    app.signals.on('session', (event) => {
      if (event.type !== 'checked' || !event.results.some((r) => r.passed)) return;
      enqueueCompletions(event, sources, config.owner).then(
        (added) => added > 0 && deliverer.nudge(),
        (err: unknown) =>
          app.log.error(
            { err, session: event.sessionId },
            'results webhook: recording completed tasks failed',
          ),
      );
    });
    app.addHook('onReady', () => deliverer.start());
    app.addHook('onClose', () => deliverer.close());
    app.log.info(`completed tasks are sent to ${new URL(settings.url).origin}`);
  },
  {
    name: 'drydock-webhooks',
    dependencies: ['drydock-store', 'drydock-labs'],
    decorators: { fastify: ['config', 'signals'] },
  },
);

/**
 * Retention (DRYDOCK_RETENTION_DAYS) for a part that keeps records of its own:
 * what is older than the retention is deleted once the app is ready and then
 * every hour, until it closes. A failure is logged; the next hour tries again.
 */
import type { FastifyInstance } from 'fastify';

const HOUR_MS = 3600_000;

export function pruneHourly(
  app: FastifyInstance,
  what: string,
  prune: (before: number) => Promise<unknown>,
): void {
  const run = () =>
    void prune(Date.now() - app.config.retentionMs).catch((err: unknown) =>
      app.log.error({ err }, `forgetting ${what} failed`),
    );
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', () => {
    run();
    timer = setInterval(run, HOUR_MS);
    timer.unref();
  });
  app.addHook('onClose', () => clearInterval(timer));
}

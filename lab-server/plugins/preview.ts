/**
 * Previews as a Fastify part: requests whose Host is a preview's go to the
 * PreviewHost before anything else runs for them (no body parsing, no API
 * limits, none of the site's headers: they are the learner's app's answers).
 * Off (`app.previews` undefined) when DRYDOCK_PREVIEW_URL is `off`, or unset
 * behind a public URL.
 */
import fp from 'fastify-plugin';
import { previewNameOf } from '../preview/preview-address.ts';
import { PreviewHost } from '../preview/preview-host.ts';

declare module 'fastify' {
  interface FastifyInstance {
    previews: PreviewHost | undefined;
  }
}

export const previewPlugin = fp(
  async (app, options: { now?: () => number }) => {
    const { address, connectionsPerSession, bodyLimitBytes } = app.config.preview;
    if (!address) {
      app.decorate('previews', undefined);
      app.log.info(
        'previews are off: set DRYDOCK_PREVIEW_URL (e.g. https://*.preview.example.net) to let learners open their web servers (docs/deploying.md, "Previews")',
      );
      return;
    }
    const host = new PreviewHost({
      address,
      sessions: () => app.sessions,
      connectionsPerSession,
      bodyLimitBytes,
      log: app.log.child({ part: 'preview' }),
      ...(options.now ? { now: options.now } : {}),
      onOutcome: (outcome) => app.signals.emit('preview-request', { outcome }),
    });
    app.decorate('previews', host);
    app.signals.on('session', (event) => {
      if (event.type === 'ended') host.forgetSession(event.sessionId);
    });
    app.addHook('onClose', async () => host.close());

    app.addHook('onRequest', async (request, reply) => {
      const name = previewNameOf(address, request.headers.host);
      if (name === undefined) return;
      reply.hijack();
      const raw = request.raw;
      // A WebSocket handshake comes through @fastify/websocket's upgrade listener,
      // which routes it here with the client's socket attached to the request.
      const upgrade = raw.headers.upgrade
        ? { socket: raw.socket, head: upgradeHead(raw) }
        : undefined;
      await host.handle(name, raw, reply.raw, upgrade);
    });
  },
  {
    name: 'drydock-preview',
    dependencies: ['drydock-sessions'],
  },
);

/** The bytes after a handshake that @fastify/websocket keeps on the request (usually none). */
function upgradeHead(raw: object): Buffer {
  const key = Object.getOwnPropertySymbols(raw).find((s) => s.description === 'ws-head');
  const head = key ? (raw as Record<symbol, unknown>)[key] : undefined;
  return Buffer.isBuffer(head) ? head : Buffer.alloc(0);
}

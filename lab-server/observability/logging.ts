/**
 * The logger's options, so that a session's secrets never reach a log line at
 * any level. A terminal WebSocket carries its session's token in the query
 * (browsers cannot set headers on a WebSocket), and Fastify logs each
 * request's URL at debug level; the API carries the token in Authorization.
 * The request serializer (and the one Fastify line that puts a URL in its
 * message) cuts secrets out of URLs, and pino's `redact` covers any field or
 * header named for one, wherever a log call puts it.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Query parameters that grant something: a session's token, a place in the
 * waiting line, an OpenID provider's authorization code (on its way back to
 * /api/auth/oidc/callback).
 */
const SECRET_PARAMS = /([?&](?:token|ticket|code)=)[^&#]*/gi;

export const REDACTED = '[redacted]';

/** The URL with the values of secret query parameters replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, `$1${REDACTED}`);
}

/** Field paths pino censors in every line, whatever logged them. */
const REDACT_PATHS = [
  'token',
  'ticket',
  'authorization',
  '*.token',
  '*.ticket',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  // The OpenID client's secret, wherever the settings are logged.
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  // The results webhook's signing key (config.webhook.secret).
  'secret',
  '*.secret',
];

/** Fastify's `logger` options at `level`; callers may add (not replace) transport or stream. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      // Fastify's own fields for a request line, with secrets cut out of the URL.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/**
 * Fastify's request-lifecycle log lines, with the one line that writes the raw
 * URL into its message (a route not found) redacted like the serializer does.
 */
export class RedactingLogController extends LogController {
  override routeNotFound(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.raw.method}:${redactUrl(request.raw.url ?? '')} not found`);
  }
}

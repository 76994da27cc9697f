/**
 * What a preview's host answers when it will not (or cannot) show the learner's
 * app: the API's error body for a script, a short page for a person; the same
 * code and message either way. Nothing of the request is echoed back.
 */
import type { ServerResponse } from 'node:http';
import type { ApiErrorCode } from '../../protocol/api-error.ts';
import { ERRORS } from '../errors.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendRefusal(
  res: ServerResponse,
  accept: string | undefined,
  code: ApiErrorCode,
  options: { message?: string; status?: number } = {},
): void {
  const status = options.status ?? ERRORS[code].status;
  const message = options.message ?? ERRORS[code].message;
  if (res.headersSent) return void res.destroy();
  res.statusCode = status;
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  if (/text\/html/.test(accept ?? '')) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    // No script runs on a refusal page, and nothing may frame it.
    res.setHeader(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Preview: ${status}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}code{background:#eef;padding:0 .2em}</style>
</head><body><h1>Drydock preview</h1><p id="message">${escape(message)}</p><p><code>${code}</code> (${status})</p></body></html>
`);
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: { code, message } }));
}

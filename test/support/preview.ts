/**
 * A client of previews without a browser: HTTP to `<name>.localhost:<port>`
 * (resolved to this machine, as browsers do), the one-time link traded for the
 * preview's cookie, and the answers as a test reads them.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { LookupFunction } from 'node:net';

/** `*.localhost` is this machine (RFC 6761), whatever the resolver says. */
export const localhostLookup: LookupFunction = (_host, options, callback) => {
  if ((options as { all?: boolean }).all)
    (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else callback(null, '127.0.0.1', 4);
};

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function previewRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, lookup: localhostLookup },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The cookie a Set-Cookie header sets, as a Cookie header sends it back. */
export function cookieOf(answer: Answer): string {
  const line = [answer.headers['set-cookie'] ?? []].flat()[0];
  assert.ok(line, `the answer sets a cookie (status ${answer.status}: ${answer.body})`);
  return line.split(';')[0]!;
}

/** A link (201), or the API's error. */
export interface LinkAnswer {
  url: string;
  origin: string;
  port: number;
  error?: { code: string; message: string };
}

/** Asks the API for a link to `port`'s preview with the session's token. */
export async function askPreviewLink(
  base: string,
  session: { id: string; token: string },
  port: number,
): Promise<{ status: number; body: LinkAnswer }> {
  const res = await fetch(`${base}/api/sessions/${session.id}/previews`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ port }),
  });
  return { status: res.status, body: await res.json() };
}

/** Opens the session's preview of `port` as a browser would: the link, then its cookie. */
export async function openPreview(
  base: string,
  session: { id: string; token: string },
  port: number,
): Promise<{ origin: string; cookie: string }> {
  const link = await askPreviewLink(base, session, port);
  assert.equal(link.status, 201, JSON.stringify(link.body));
  const opened = await previewRequest(link.body.url);
  assert.equal(opened.status, 303, opened.body);
  assert.equal(opened.headers.location, '/');
  return { origin: link.body.origin, cookie: cookieOf(opened) };
}

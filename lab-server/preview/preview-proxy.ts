/**
 * One browser request to a preview, passed to the learner's web server in the
 * sandbox and its answer streamed back: any method, headers, a body up to the
 * limit, responses of any length as they come, and WebSocket upgrades. What the
 * app says is passed on except what would reach beyond its own host: cookies
 * for a parent domain (made host-only), `Clear-Site-Data`, our own cookie.
 */
import {
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { Transform } from 'node:stream';
import { PortClosedError } from '../sandbox/port-forwarder.ts';
import { sendRefusal } from './preview-refusal.ts';
import type { SandboxAgent } from './sandbox-agent.ts';

/** The answer's head must come within this; its body may then take as long as it takes. */
export const RESPONSE_TIMEOUT_MS = 30_000;

export type ProxyOutcome =
  'proxied' | 'port-closed' | 'too-large' | 'timeout' | 'failed' | 'upgraded';

export interface ProxyTarget {
  agent: SandboxAgent;
  port: number;
  /** The preview's origin, as the browser sees it. */
  origin: string;
  /** The name of the cookie that opens the preview: never passed to the app, never set by it. */
  cookieName: string;
  bodyLimitBytes: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The headers a hop passes on: without hop-by-hop ones (and those Connection names). */
function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  return out;
}

function withoutCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair && pair.split('=')[0]!.trim() !== name);
  return kept.length ? kept.join('; ') : undefined;
}

/** The app's Set-Cookie lines, each kept to the preview's own host. */
function hostOnlyCookies(lines: string[], name: string): string[] {
  return lines
    .filter((line) => line.split('=')[0]!.trim() !== name)
    .map((line) =>
      line
        .split(';')
        .filter((attribute) => !/^\s*domain\s*=/i.test(attribute))
        .join(';'),
    );
}

/** `http://localhost:8080/x` (the app naming itself) → the preview's own address. */
function previewLocation(location: string, target: ProxyTarget): string {
  const self = new RegExp(
    `^https?://(localhost|127\\.0\\.0\\.1|\\[::1\\]):${target.port}(?=/|$)`,
    'i',
  );
  return location.replace(self, target.origin);
}

function requestHeaders(
  req: IncomingMessage,
  target: ProxyTarget,
): Record<string, string | string[]> {
  const headers = endToEnd(req.headers);
  const cookie = withoutCookie(req.headers.cookie, target.cookieName);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  // The Host stays the preview's (as a reverse proxy keeps it), so that the app's
  // own links and its checks of Origin against Host agree with the browser.
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = new URL(target.origin).protocol.slice(0, -1);
  return headers;
}

function responseHeaders(
  upstream: IncomingMessage,
  target: ProxyTarget,
): Record<string, string | string[]> {
  const headers = endToEnd(upstream.headers);
  delete headers['clear-site-data'];
  const cookies = upstream.headers['set-cookie'];
  if (cookies) headers['set-cookie'] = hostOnlyCookies(cookies, target.cookieName);
  if (typeof headers.location === 'string')
    headers.location = previewLocation(headers.location, target);
  return headers;
}

/** Counts a body's bytes and fails past the limit. */
function bodyLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(new Error('body too large'));
      done(null, chunk);
    },
  });
}

const tooLargeMessage = (limit: number) =>
  `The request body is larger than previews accept (${Math.round(limit / 1024)} KiB, DRYDOCK_PREVIEW_BODY_LIMIT).`;

const portClosedMessage = (port: number) =>
  `Nothing listens on port ${port} in your sandbox. Start your web server (or publish the container's port with docker run -p ${port}:…), then reload this page.`;

/** Passes one request on and streams the answer back; resolves with what happened. */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: ProxyTarget,
): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    const accept = req.headers.accept;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > target.bodyLimitBytes) {
      sendRefusal(res, accept, 'PREVIEW_TOO_LARGE', {
        message: tooLargeMessage(target.bodyLimitBytes),
      });
      req.resume();
      return resolve('too-large');
    }
    // The wait for a connection counts in the response's time limit.
    const turn = target.agent.enter();
    let upstream: ClientRequest | undefined;
    let settled = false;
    const finish = (outcome: ProxyOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      turn.leave();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      upstream?.destroy();
      sendRefusal(res, accept, 'PREVIEW_FAILED', {
        status: 504,
        message: `The web server on port ${target.port} in your sandbox did not answer within ${RESPONSE_TIMEOUT_MS / 1000} s.`,
      });
      finish('timeout');
    }, RESPONSE_TIMEOUT_MS);

    const counter = bodyLimit(target.bodyLimitBytes);
    counter.on('error', () => {
      upstream?.destroy();
      sendRefusal(res, accept, 'PREVIEW_TOO_LARGE', {
        message: tooLargeMessage(target.bodyLimitBytes),
      });
      finish('too-large');
    });
    // The body waits in the counter (and the browser's socket) until the request's turn.
    req.pipe(counter);
    // The browser went away: so does the request in the sandbox (its connection is not reused).
    res.on('close', () => {
      if (!res.writableFinished) upstream?.destroy();
      finish('proxied');
    });
    void turn.ready.then(() => {
      if (settled) return;
      upstream = send(req, counter, res, target, {
        answered: () => clearTimeout(timer),
        settled: () => settled,
        finish,
      });
    });
  });
}

interface Exchange {
  /** The answer's head came: its body may take as long as it takes. */
  answered: () => void;
  settled: () => boolean;
  finish: (outcome: ProxyOutcome) => void;
}

/** The browser's request, to the app in the sandbox, over the session's agent. */
function requestToApp(
  req: IncomingMessage,
  target: ProxyTarget,
  headers: ReturnType<typeof requestHeaders>,
): ClientRequest {
  return request({
    agent: target.agent,
    host: 'localhost',
    port: target.port,
    method: req.method,
    path: req.url,
    headers,
  });
}

/** The request, sent into the sandbox once it has its turn; the answer streamed back. */
function send(
  req: IncomingMessage,
  body: Transform,
  res: ServerResponse,
  target: ProxyTarget,
  { answered, settled, finish }: Exchange,
): ClientRequest {
  const accept = req.headers.accept;
  const upstream = requestToApp(req, target, requestHeaders(req, target));
  body.pipe(upstream);
  upstream.on('response', (answer) => {
    answered();
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer, target));
    answer.pipe(res);
    answer.on('end', () => finish('proxied'));
    answer.on('error', () => (res.destroy(), finish('failed')));
  });
  upstream.on('error', (error) => {
    if (settled()) return res.destroy();
    if (error instanceof PortClosedError) {
      sendRefusal(res, accept, 'PORT_CLOSED', {
        status: 502,
        message: portClosedMessage(target.port),
      });
      return finish('port-closed');
    }
    sendRefusal(res, accept, 'PREVIEW_FAILED', {
      message: `The web server on port ${target.port} in your sandbox did not answer properly (${error.message}).`,
    });
    finish('failed');
  });
  return upstream;
}

/**
 * A WebSocket (or any HTTP/1.1 upgrade) to the app: the handshake is passed on,
 * and once the app switches protocols, bytes flow both ways untouched.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ProxyTarget,
): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    // An upgraded connection leaves the agent (Node hands its socket over), so the
    // turn is held only until the app answers the handshake.
    const turn = target.agent.enter();
    const done = (outcome: ProxyOutcome) => (turn.leave(), resolve(outcome));
    socket.once('close', () => done('proxied'));
    void turn.ready.then(() => {
      if (!socket.destroyed) upgrade(req, socket, head, target, done);
    });
  });
}

function upgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ProxyTarget,
  resolve: (outcome: ProxyOutcome) => void,
): void {
  const headers = requestHeaders(req, target);
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade ?? 'websocket';
  const upstream = requestToApp(req, target, headers);
  const fail = (status: number, outcome: ProxyOutcome, reason: string) => {
    if (!socket.destroyed)
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    resolve(outcome);
  };
  upstream.on('upgrade', (answer, appSocket, appHead) => {
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      const name = answer.rawHeaders[i]!;
      if (!/^(set-cookie|clear-site-data)$/i.test(name))
        lines.push(`${name}: ${answer.rawHeaders[i + 1]}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (appHead.length) socket.write(appHead);
    if (head.length) appSocket.write(head);
    appSocket.pipe(socket).pipe(appSocket);
    const close = () => (appSocket.destroy(), socket.destroy());
    appSocket.on('error', close);
    socket.on('error', close);
    appSocket.on('close', close);
    socket.on('close', close);
    resolve('upgraded');
  });
  upstream.on('response', (answer) => {
    // The app refused the upgrade: its answer goes back as it is.
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`, 'connection: close'];
    for (const [name, value] of Object.entries(responseHeaders(answer, target)))
      for (const v of [value].flat()) lines.push(`${name}: ${v}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    answer.pipe(socket);
    resolve('proxied');
  });
  upstream.on('error', (error) =>
    error instanceof PortClosedError
      ? fail(502, 'port-closed', 'Bad Gateway')
      : fail(502, 'failed', 'Bad Gateway'),
  );
  socket.on('error', () => upstream.destroy());
  upstream.end();
}

/**
 * What a browser does in an OpenID Connect sign-in, for API tests: ask the lab
 * server (through `app.inject`) to start one, follow the provider's redirects
 * over real HTTP with the provider's cookies kept, fill in its login form (or
 * press Cancel), and stop where the provider sends the browser back to the lab
 * server, so that the test decides what to do with that answer (deliver it,
 * tamper with it, deliver it twice).
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Cookies by name, as one browser keeps them for one site (paths are not told apart). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The lab server as a browser sees it: its answers, with its cookies kept. */
export async function visit(
  app: FastifyInstance,
  jar: CookieJar,
  url: string,
): Promise<LightMyRequestResponse> {
  const res = await app.inject({ url, headers: jar.cookies.size ? { cookie: jar.header() } : {} });
  jar.take(res.headers['set-cookie']);
  return res;
}

/**
 * From the provider's authorization URL to the URL it sends the browser back
 * to: logs in as `username` with `password`, or presses Cancel (`'cancel'`).
 */
export async function atProvider(
  authorizationUrl: string,
  action: { username: string; password: string } | 'cancel',
  jar = new CookieJar(),
): Promise<URL> {
  let url = new URL(authorizationUrl);
  const origin = url.origin;
  let post: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method: post ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(jar.cookies.size ? { cookie: jar.header() } : {}),
        ...(post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(post ? { body: post.toString() } : {}),
    });
    jar.take(res.headers.getSetCookie());
    post = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== origin) return next;
      url = next;
      continue;
    }
    const page = await res.text();
    const form = /action="(\/interaction\/[^"]+\/(login|abort))"/g;
    const actions = new Map([...page.matchAll(form)].map((m) => [m[2], m[1]!]));
    assert.equal(res.status, 200, `the provider answered ${res.status}: ${page}`);
    assert.ok(!page.includes('role="alert"'), `the provider refused the login: ${page}`);
    if (action === 'cancel') {
      url = new URL(actions.get('abort')!, origin);
      post = new URLSearchParams();
    } else {
      url = new URL(actions.get('login')!, origin);
      post = new URLSearchParams(action);
    }
  }
  throw new Error('the provider never sent the browser back');
}

export interface OidcAttempt {
  /** The lab server's answer to /api/auth/oidc/start. */
  start: LightMyRequestResponse;
  /** Where the provider sent the browser back to (the lab server's callback, with code and state). */
  callback: URL;
}

/** Starts a sign-in at the lab server and goes through the provider, up to its answer. */
export async function throughProvider(
  app: FastifyInstance,
  jar: CookieJar,
  action: { username: string; password: string } | 'cancel',
  next?: string,
): Promise<OidcAttempt> {
  const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
  const start = await visit(app, jar, `/api/auth/oidc/start${query}`);
  assert.equal(start.statusCode, 303, start.body);
  const callback = await atProvider(String(start.headers.location), action);
  return { start, callback };
}

/** The whole sign-in: through the provider, and its answer delivered to the lab server. */
export async function oidcSignIn(
  app: FastifyInstance,
  jar: CookieJar,
  username: string,
  password: string,
  next?: string,
): Promise<LightMyRequestResponse> {
  const { callback } = await throughProvider(app, jar, { username, password }, next);
  return visit(app, jar, callback.pathname + callback.search);
}

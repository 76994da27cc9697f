/**
 * The Caddy recipe in deploy/caddy/ as Debian's caddy reads it: it must parse
 * and provision (`caddy adapt --validate`), and its JSON must say what
 * docs/reverse-proxy.md promises. Not run in front of a server: with a local
 * address Caddy would issue its own certificate and, as root, install its CA in
 * this machine's trust store; the nginx recipe is the one CI drives end to end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/platform.ts';

const RECIPE = join(ROOT, 'deploy/caddy/Caddyfile');

interface Handler {
  handler: string;
  [key: string]: unknown;
}

/** Every handler in the adapted config, subroutes included. */
function handlers(value: unknown): Handler[] {
  if (Array.isArray(value)) return value.flatMap(handlers);
  if (typeof value !== 'object' || value === null) return [];
  const own = typeof (value as Handler).handler === 'string' ? [value as Handler] : [];
  return [...own, ...Object.values(value).flatMap(handlers)];
}

describe('the Caddy recipe', () => {
  // Caddy keeps state under HOME / XDG dirs: a directory of the test's own, removed afterwards.
  const home = mkdtempSync(join(tmpdir(), 'drydock-caddy-'));
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  let config: {
    apps: { http: { servers: Record<string, { listen: string[]; routes: unknown[] }> } };
    logging: { logs: Record<string, { encoder?: { fields?: Record<string, unknown> } }> };
  };

  before(async () => {
    const { stdout } = await promisify(execFile)(
      'caddy',
      ['adapt', '--config', RECIPE, '--adapter', 'caddyfile', '--validate'],
      { env },
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw new Error('caddy is not installed: apt-get install caddy (npm test installs it)');
      throw error;
    });
    config = JSON.parse(stdout) as typeof config;
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('serves the public host over TLS and proxies it to the lab server', () => {
    const [server] = Object.values(config.apps.http.servers);
    assert.deepEqual(server?.listen, [':443']);
    assert.match(JSON.stringify(server?.routes), /"host":\["drydock\.example\.org"\]/);
    const proxy = handlers(config).find((h) => h.handler === 'reverse_proxy');
    assert.deepEqual(proxy?.upstreams, [{ dial: '127.0.0.1:4400' }]);
  });

  it('passes terminal output on at once instead of buffering it', () => {
    const proxy = handlers(config).find((h) => h.handler === 'reverse_proxy');
    assert.equal(proxy?.flush_interval, -1);
  });

  it('keeps the session token out of its access log', () => {
    const filters = Object.values(config.logging.logs).map((log) => log.encoder?.fields);
    assert.deepEqual(
      filters.find((fields) => fields?.['request>uri']),
      { 'request>uri': { filter: 'query', actions: [{ type: 'delete', parameter: 'token' }] } },
    );
  });
});

/**
 * The server's bundle (scripts/build-server.ts), which every start runs: it
 * builds, a server started from it answers, and dockerode's ssh and BuildKit
 * session modules, left out of it, load when first used and work through their
 * stand-ins. The tests that spawn the server (test/support/server-process.ts)
 * run the bundle against a real engine. Other modules the server's packages
 * require as they load (glob, ip-address) also wait for their first use.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import {
  bundleOptions,
  ensureServerBundle,
  SERVER_BUNDLE,
  serverBundleFresh,
} from '../../scripts/build-server.ts';
import { ROOT } from '../support/platform.ts';

const scratch = mkdtempSync(join(tmpdir(), 'drydock-bundle-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Bundles `contents` as the server is bundled, runs it, and returns what it printed. */
async function runBundled(name: string, contents: string): Promise<string> {
  const probe = join(scratch, name);
  await build({
    ...bundleOptions(),
    entryPoints: undefined,
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    outfile: probe,
  });
  const { stdout } = await promisify(execFile)(process.execPath, [probe], { timeout: 30_000 });
  return stdout;
}

describe('the server bundle', () => {
  it('builds, and is then fresh', async () => {
    await ensureServerBundle();
    assert.ok(serverBundleFresh());
  });

  it('starts a server that answers /healthz, with no engine to reach', async () => {
    await ensureServerBundle();
    const child = spawn(process.execPath, [SERVER_BUNDLE], {
      cwd: ROOT,
      env: {
        ...process.env,
        DRYDOCK_PORT: '0',
        DRYDOCK_LOG_LEVEL: 'info',
        DRYDOCK_DATABASE_URL: `sqlite:${join(scratch, 'store.sqlite')}`,
        DRYDOCK_STATE_DIR: scratch,
        DRYDOCK_BUILD_IMAGES: 'never',
        DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    try {
      const deadline = Date.now() + 30_000;
      let port: string | undefined;
      while (!(port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1])) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `no server; its log:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(response.status, 200);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('loads dockerode’s ssh and BuildKit session modules when first used, not at start', async () => {
    // dockerode bundled as the server bundles it; reports which transports are loaded when.
    const stdout = await runBundled(
      'probe.mjs',
      `
          import Docker from 'dockerode';
          const loaded = () => ['ssh2', '@grpc/grpc-js'].filter((name) =>
            Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/')));
          const report = { atStart: loaded() };
          const ssh = new Docker({ protocol: 'ssh', host: '127.0.0.1', port: 1, username: 'nobody' });
          report.ssh = await ssh.ping().then(() => 'answered', (error) => error.code ?? error.message);
          report.afterSsh = loaded();
          const local = new Docker({ socketPath: ${JSON.stringify(join(scratch, 'no-engine.sock'))} });
          report.buildKit = await local.buildImage({ context: ${JSON.stringify(scratch)}, src: [] }, { version: '2' })
            .then(() => 'answered', (error) => error.code ?? error.message);
          report.afterBuildKit = loaded();
          console.log(JSON.stringify(report));
        `,
    );
    assert.deepEqual(JSON.parse(stdout), {
      atStart: [],
      ssh: 'ECONNREFUSED',
      afterSsh: ['ssh2'],
      buildKit: 'ENOENT',
      afterBuildKit: ['ssh2', '@grpc/grpc-js'],
    });
  });

  it('loads HTTP/2 and TLS when first used, not at start', async () => {
    // Fastify and ws, bundled as the server bundles them; each requires these as it loads.
    const stdout = await runBundled(
      'first-use.mjs',
      `
          import Fastify from 'fastify';
          import WebSocket from 'ws';
          import { zodSchemaOptions } from './lab-server/http/zod-schemas.ts';
          const loaded = () => process.moduleLoadList
            .filter((m) => /^NativeModule (http2|tls|https)$/.test(m))
            .map((m) => m.slice('NativeModule '.length));
          const report = { atStart: loaded() };
          const app = Fastify({ ...zodSchemaOptions, http2: true });
          app.get('/', async () => 'ok');
          report.http2 = (await app.inject('/')).body;
          report.afterHttp2 = loaded();
          report.wss = await new Promise((resolve) => {
            const socket = new WebSocket('wss://127.0.0.1:1/');
            socket.on('error', (error) => resolve(error.code));
          });
          report.afterWss = loaded();
          console.log(JSON.stringify(report));
        `,
    );
    assert.deepEqual(JSON.parse(stdout), {
      atStart: [],
      http2: 'ok',
      afterHttp2: ['tls', 'http2'], // Node's http2 loads tls
      wss: 'ECONNREFUSED',
      afterWss: ['tls', 'http2', 'https'],
    });
  });

  it('loads glob and ip-address when @fastify/static and @fastify/rate-limit first need them, not at start', async () => {
    // Both packages destructure these as they load; the bundle hands them stand-ins for the exports.
    writeFileSync(join(scratch, 'listed.txt'), 'listed');
    const stdout = await runBundled(
      'members.mjs',
      `
          import Fastify from 'fastify';
          import fastifyStatic from '@fastify/static';
          import rateLimit from '@fastify/rate-limit';
          import { zodSchemaOptions } from './lab-server/http/zod-schemas.ts';
          const loaded = () => ['glob', 'ip-address'].filter((name) =>
            Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/')));
          const report = { atStart: loaded() };
          const app = Fastify(zodSchemaOptions);
          await app.register(rateLimit, { max: 1, timeWindow: 60_000 });
          await app.register(fastifyStatic, { root: ${JSON.stringify(scratch)}, wildcard: false });
          await app.ready();
          report.afterStatic = loaded();
          const from = async (remoteAddress) => (await app.inject({ url: '/listed.txt', remoteAddress })).statusCode;
          report.v4 = [await from('10.0.0.1'), await from('10.0.0.1')];
          report.afterV4 = loaded();
          // One /64 by default: a second address in it shares the first one's limit, another /64 does not.
          report.v6 = [await from('2001:db8::1'), await from('2001:db8::2'), await from('2001:db8:0:100::1')];
          report.mapped = await from('::ffff:10.0.0.1');
          report.afterV6 = loaded();
          console.log(JSON.stringify(report));
        `,
    );
    assert.deepEqual(JSON.parse(stdout), {
      atStart: [],
      afterStatic: ['glob'], // it lists the root at registration, to route each file
      v4: [200, 429],
      afterV4: ['glob'],
      v6: [200, 429, 200],
      mapped: 429, // the IPv4 client of v4, seen through an IPv6 socket
      afterV6: ['glob', 'ip-address'],
    });
  });

  it('checks requests and answers with the protocol’s Zod schemas, never loading Ajv or fast-json-stringify', async () => {
    // Fastify's own compilers, left out of the bundle, would load from node_modules if it asked for them.
    const stdout = await runBundled(
      'schemas.mjs',
      `
          import Fastify from 'fastify';
          import * as z from 'zod/mini';
          import { zodSchemaOptions } from './lab-server/http/zod-schemas.ts';
          const app = Fastify(zodSchemaOptions);
          const Answer = z.object({ lab: z.string() });
          app.post('/echo', { schema: { body: z.strictObject({ lab: z.string() }), response: { 200: Answer } } },
            async (request) => ({ ...request.body, secret: 'kept in' }));
          app.get('/broken', { schema: { response: { 200: Answer } } }, async () => ({ lab: 42 }));
          app.setErrorHandler((error, _request, reply) =>
            reply.code(error.statusCode ?? 500).send({ message: error.message }));
          const answer = async (options) => {
            const res = await app.inject(options);
            return [res.statusCode, res.json()];
          };
          const report = {
            good: await answer({ method: 'POST', url: '/echo', payload: { lab: 'tiny-lab' } }),
            missing: await answer({ method: 'POST', url: '/echo', payload: {} }),
            extra: await answer({ method: 'POST', url: '/echo', payload: { lab: 'x', admin: true } }),
            broken: await answer({ method: 'GET', url: '/broken' }),
            loaded: Object.keys(require.cache).filter((file) => /ajv|fast-json-stringify-compiler/.test(file)),
          };
          console.log(JSON.stringify(report));
        `,
    );
    assert.deepEqual(JSON.parse(stdout), {
      good: [200, { lab: 'tiny-lab' }],
      missing: [400, { message: 'body.lab: required' }],
      extra: [400, { message: 'body: Unrecognized key: "admin"' }],
      broken: [
        500,
        {
          message:
            'the answer does not match its protocol schema: lab: Invalid input: expected string, received number',
        },
      ],
      loaded: [],
    });
  });

  it('loads Node’s built-ins by require, so that http does not bring Node’s fetch (undici) along', async () => {
    // As an ES module import, node:http made Node read its lazy WebSocket export,
    // which loads undici: its source alone is 750 KB of the idle server's heap.
    const stdout = await runBundled(
      'builtins.mjs',
      `
          import { createServer } from 'node:http';
          import { randomBytes } from 'node:crypto';
          const server = createServer(() => {}).listen(0, () => {
            randomBytes(8);
            const loaded = process.moduleLoadList.filter((m) => /undici|webcrypto/.test(m));
            console.log(JSON.stringify(loaded));
            server.close();
          });
        `,
    );
    assert.deepEqual(JSON.parse(stdout), []);
  });
});

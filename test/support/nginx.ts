/**
 * Debian's nginx running the recipe in deploy/nginx/ in front of a test's lab
 * server: its own prefix, temp dirs, logs and pid file in a temporary
 * directory, a self-signed certificate made with openssl, loopback ports only.
 * The recipe is changed only where an operator changes it (the upstream, the
 * ports, the certificate paths), so the test proves the file we ship.
 * `await using` stops nginx and removes the directory, also when a test fails.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSigned } from './certificates.ts';
import { freePort } from './network.ts';

export { freePort };
import { ROOT } from './platform.ts';

export const NGINX_RECIPE = join(ROOT, 'deploy/nginx/drydock.conf');

const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

/** A TCP port nobody listens on right now (the kernel's pick). */

/** Replaces `pattern`, which must occur exactly once: a recipe that changed shape fails loudly here. */
function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const found = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`));
  assert.equal(found?.length, 1, `the nginx recipe should contain ${pattern} once`);
  return text.replace(pattern, replacement);
}

export interface RecipeValues {
  /** host:port of the lab server. */
  upstream: string;
  httpsPort: number;
  httpPort: number;
  certificate: string;
  key: string;
}

/** The recipe with an operator's edits applied; IPv6 listeners dropped (loopback IPv4 only in tests). */
export function nginxSite(recipe: string, v: RecipeValues): string {
  let site = replaceOnce(recipe, /server 127\.0\.0\.1:4400;/, `server ${v.upstream};`);
  site = replaceOnce(site, /listen 443 ssl http2;/, `listen 127.0.0.1:${v.httpsPort} ssl http2;`);
  site = replaceOnce(site, /listen 80;/, `listen 127.0.0.1:${v.httpPort};`);
  site = site.replace(/^\s*listen \[::\]:\d+[^;]*;\n/gm, '');
  site = replaceOnce(site, /ssl_certificate\s+\S+;/, `ssl_certificate ${v.certificate};`);
  return replaceOnce(site, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${v.key};`);
}

export interface Nginx extends AsyncDisposable {
  /** https://localhost:<port>, what a learner opens. */
  url: string;
  httpPort: number;
  /** PEM of the self-signed certificate, for clients that check it. */
  certificate: string;
  accessLog(): string;
  errorLog(): string;
}

/** Starts nginx with the recipe in front of `upstream` and waits until it answers over TLS. */
export async function startNginx(
  upstream: string,
  ports: { httpsPort: number; httpPort: number },
): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-nginx-'));
  // nginx's workers run as nobody and must reach their temp dirs; the key stays root's (0600).
  chmodSync(dir, 0o755);
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM'); // fast shutdown: the master stops its workers
      const timer = setTimeout(() => child!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certificate = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    selfSigned(
      dir,
      { cert: certificate, key },
      { cn: 'localhost', days: 1, subjectAltName: 'DNS:localhost,IP:127.0.0.1' },
    );
    const site = nginxSite(readFileSync(NGINX_RECIPE, 'utf8'), {
      upstream,
      ...ports,
      certificate,
      key,
    });
    writeFileSync(join(dir, 'drydock.conf'), site);
    for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
      mkdirSync(join(dir, 'temp', temp), { recursive: true });
    // What /etc/nginx/nginx.conf is to an operator: the recipe goes in its http block.
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  include ${dir}/drydock.conf;
}
`,
    );
    let output = '';
    child = spawn(
      NGINX,
      ['-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const pem = readFileSync(certificate, 'utf8');
    const read = (file: string) =>
      existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '';
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`nginx exited (${child.exitCode}): ${output}\n${read('error.log')}`);
      if ((await statusThrough(ports.httpsPort, pem)) === 200) break;
      if (Date.now() > deadline)
        throw new Error(`nginx did not answer in 30 s: ${output}\n${read('error.log')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      url: `https://localhost:${ports.httpsPort}`,
      httpPort: ports.httpPort,
      certificate: pem,
      accessLog: () => read('access.log'),
      errorLog: () => read('error.log'),
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** GET /api/status through nginx over TLS, checking its certificate; 0 while it does not answer. */
function statusThrough(port: number, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', servername: 'localhost', port, path: '/api/status', ca, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

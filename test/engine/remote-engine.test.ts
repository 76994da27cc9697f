/**
 * A remote engine reached the ways the docker CLI reaches one: tcp:// with TLS
 * (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) for real, through socat terminating TLS
 * in front of this machine's engine with certificates made by openssl; plain
 * tcp:// with a loud warning. The server runs as a real process each time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { LABEL } from '../../lab-server/labels.ts';
import { newOwner, ROOT } from '../support/platform.ts';
import { startTlsEngine, type TlsEngine } from '../support/tls-engine.ts';

interface Run {
  log: string;
  exitCode: number | null;
}

describe('a remote engine', { timeout: 300_000 }, () => {
  const owner = newOwner();
  const stateDir = mkdtempSync(join(tmpdir(), 'drydock-remote-state-'));
  let engine: TlsEngine;

  /** Starts the server with this engine setting until its log matches `until` (or it exits), then kills it. */
  async function serve(env: Record<string, string>, until: RegExp): Promise<Run> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('DOCKER_')),
    );
    const child = spawn(process.execPath, ['lab-server/server.ts'], {
      cwd: ROOT,
      env: {
        ...base,
        DRYDOCK_PORT: '0',
        DRYDOCK_OWNER: owner,
        DRYDOCK_STATE_DIR: stateDir,
        DRYDOCK_LOG_LEVEL: 'info',
        DRYDOCK_BUILD_IMAGES: 'never',
        DRYDOCK_OLD_IMAGES: 'keep',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!until.test(log) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    assert.match(log, until, `the server's log:\n${log.slice(-3000)}`);
    return { log, exitCode: child.exitCode };
  }

  before(async () => {
    engine = await startTlsEngine();
  });

  after(async () => {
    await engine?.[Symbol.asyncDispose]();
    // A server killed mid-way may have started its feature probe's sandbox.
    const docker = new Docker();
    const filters = { label: [`${LABEL.owner}=${owner}`] };
    for (const c of await docker.listContainers({ all: true, filters }))
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('is used over TLS with the CA and client certificate in DOCKER_CERT_PATH', async () => {
    const run = await serve(
      {
        DOCKER_HOST: engine.tlsHost,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: engine.certPaths.good,
      },
      /Docker engine \S+ answers/,
    );
    assert.doesNotMatch(run.log, /plain TCP without TLS/);
  });

  it('is refused when its certificate is not signed by the CA in DOCKER_CERT_PATH, and the log names ca.pem', async () => {
    const run = await serve(
      {
        DOCKER_HOST: engine.tlsHost,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: engine.certPaths.wrongCa,
      },
      /labs unavailable/,
    );
    assert.match(run.log, /not signed by the CA in \S+\/wrong-ca\/ca\.pem \(DOCKER_CERT_PATH/);
    assert.doesNotMatch(run.log, /Docker engine \S+ answers/);
  });

  it('refuses the server when the engine does not accept its client certificate, and the log names cert.pem', async () => {
    const run = await serve(
      {
        DOCKER_HOST: engine.tlsHost,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: engine.certPaths.foreignClient,
      },
      /labs unavailable/,
    );
    assert.match(
      run.log,
      /did not accept this client's certificate, \S+\/foreign-client\/cert\.pem \(DOCKER_CERT_PATH\)/,
    );
    assert.doesNotMatch(run.log, /Docker engine \S+ answers/);
  });

  it('stops the server at start when DOCKER_CERT_PATH has no client certificate, naming the file', async () => {
    const run = await serve(
      {
        DOCKER_HOST: engine.tlsHost,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: engine.certPaths.noClientCert,
      },
      /Invalid configuration/,
    );
    assert.equal(run.exitCode, 2);
    assert.match(run.log, /DOCKER_CERT_PATH: cannot read \S+\/no-client-cert\/cert\.pem/);
  });

  it('works over plain TCP only with a loud warning at start', async () => {
    const run = await serve({ DOCKER_HOST: engine.plainHost }, /Docker engine \S+ answers/);
    const warning = run.log.split('\n').find((line) => line.includes('plain TCP without TLS'));
    assert.ok(warning, `no warning in:\n${run.log}`);
    assert.equal((JSON.parse(warning) as { level: number }).level, 40, 'logged as a warning');
    assert.match(warning, /DOCKER_TLS_VERIFY=1/);
  });
});

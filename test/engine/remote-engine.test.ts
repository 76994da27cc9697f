/**
 * A remote engine reached the ways the docker CLI reaches one: tcp:// with TLS
 * (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) for real, through socat terminating TLS
 * in front of this machine's engine with certificates made by openssl; plain
 * tcp:// with a loud warning; ssh:// for real, through OpenSSH's sshd on a
 * loopback port. The server runs as a real process each time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadConfig } from '../../lab-server/config.ts';
import { connect } from '../../lab-server/docker/engine.ts';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { newOwner, ROOT } from '../support/platform.ts';
import { startSshEngine, type SshEngine } from '../support/ssh-engine.ts';
import { startTlsEngine, type TlsEngine } from '../support/tls-engine.ts';

interface Run {
  log: string;
  exitCode: number | null;
}

describe('a remote engine', { timeout: 300_000 }, () => {
  const owner = newOwner();
  const stateDir = mkdtempSync(join(tmpdir(), 'drydock-remote-state-'));
  let engine: TlsEngine;
  let sshEngine: SshEngine;

  /**
   * Starts the server with this engine setting until its log matches `until`, then kills it;
   * with `exits`, waits for it to stop by itself instead.
   */
  async function serve(env: Record<string, string>, until: RegExp, exits = false): Promise<Run> {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('DOCKER_') && name !== 'SSH_AUTH_SOCK',
      ),
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
    while ((exits || !until.test(log)) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    assert.match(log, until, `the server's log:\n${log.slice(-3000)}`);
    return { log, exitCode: child.exitCode };
  }

  before(async () => {
    engine = await startTlsEngine();
    sshEngine = await startSshEngine();
  });

  after(async () => {
    await engine?.[Symbol.asyncDispose]();
    await sshEngine?.[Symbol.asyncDispose]();
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
      true,
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

  it('is used over ssh:// with the key in ~/.ssh, once known_hosts records the host’s key', async () => {
    const run = await serve(
      { DOCKER_HOST: sshEngine.dockerHost, HOME: sshEngine.homes.good },
      /Docker engine \S+ answers/,
    );
    assert.doesNotMatch(run.log, /labs unavailable/);
  });

  it('carries an interactive terminal over ssh:// to the same engine', async () => {
    const config = loadConfig({ DOCKER_HOST: sshEngine.dockerHost, HOME: sshEngine.homes.good });
    const remote = connect(config.engine);
    const local = new Docker();
    assert.equal(
      ((await remote.info()) as { ID: string }).ID,
      ((await local.info()) as { ID: string }).ID,
    );
    const image = loadImageCatalog(join(ROOT, 'images')).find((r) => r.slug === 'lab-base')!.tag;
    const container = await remote.createContainer({
      Image: image,
      Cmd: ['sleep', '60'],
      Labels: { [LABEL.platform]: PLATFORM, [LABEL.owner]: owner },
    });
    await container.start();
    const exec = await container.exec({
      Cmd: ['sh', '-c', 'read line; echo "got $line"'],
      AttachStdin: true,
      AttachStdout: true,
      Tty: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stream.write('over ssh\n');
    const deadline = Date.now() + 20_000;
    while (!output.includes('got over ssh') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await container.remove({ force: true });
    assert.match(output, /got over ssh/);
  });

  it('refuses an engine host whose key is not the one known_hosts records, naming the file', async () => {
    const run = await serve(
      { DOCKER_HOST: sshEngine.dockerHost, HOME: sshEngine.homes.changedKey },
      /labs unavailable/,
    );
    assert.match(run.log, /is not the one \S+\/changed-key\/\.ssh\/known_hosts records/);
    assert.doesNotMatch(run.log, /Docker engine \S+ answers/);
  });

  it('stops the server at start when there is no known_hosts to check the engine host’s key against', async () => {
    const run = await serve(
      { DOCKER_HOST: sshEngine.dockerHost, HOME: stateDir },
      /Invalid configuration/,
      true,
    );
    assert.equal(run.exitCode, 2);
    assert.match(run.log, /DOCKER_HOST: \S+\/\.ssh\/known_hosts is missing/);
  });
});

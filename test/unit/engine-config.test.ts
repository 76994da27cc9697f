import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';
import { isLocalEngine } from '../../lab-server/admission/host-probe.ts';
import { insecureEngineWarning } from '../../lab-server/docker/engine.ts';

const refusal = (pattern: RegExp) => (error: unknown) =>
  error instanceof ConfigError && pattern.test(error.message);

describe('the engine settings', () => {
  it('reads DOCKER_CERT_PATH’s default from ~/.docker, as the docker CLI does', () => {
    const home = mkdtempSync(join(tmpdir(), 'drydock-home-'));
    try {
      mkdirSync(join(home, '.docker'));
      for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
        writeFileSync(join(home, '.docker', file), `${file} contents`);
      const { engine } = loadConfig({
        HOME: home,
        DOCKER_HOST: 'tcp://engine.example.org:2376',
        DOCKER_TLS_VERIFY: '1',
      });
      assert.equal(engine.tls?.certPath, join(home, '.docker'));
      assert.equal(engine.tls?.cert, 'cert.pem contents');
      assert.equal(insecureEngineWarning(engine), undefined);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('takes DOCKER_TLS_VERIFY=0 as no TLS, and then warns about plain TCP', () => {
    const { engine } = loadConfig({ DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_TLS_VERIFY: '0' });
    assert.equal(engine.tls, undefined);
    assert.match(insecureEngineWarning(engine) ?? '', /plain TCP without TLS/);
  });

  it('refuses DOCKER_TLS_VERIFY for an engine that is not reached over tcp://', () => {
    assert.throws(
      () => loadConfig({ DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_TLS_VERIFY: '1' }),
      refusal(/DOCKER_TLS_VERIFY: TLS applies to tcp:\/\/ engines/),
    );
  });

  it('refuses an engine address it cannot use, saying which forms work', () => {
    assert.throws(
      () => loadConfig({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }),
      refusal(/DOCKER_HOST: use unix:\/\/\/path\/to\/docker\.sock/),
    );
  });

  it('measures the disk of an ssh:// or tcp:// engine only when it runs on this machine', () => {
    assert.equal(isLocalEngine('ssh://drydock@engine.example.org'), false);
    assert.equal(isLocalEngine('tcp://10.0.0.5:2376'), false);
    assert.equal(isLocalEngine('ssh://drydock@127.0.0.1:2222'), true);
    assert.equal(isLocalEngine('tcp://localhost:2376'), true);
  });
});

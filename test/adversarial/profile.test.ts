/**
 * The root-equivalent `dind` profile exists for one person on their own
 * machine: a server that listens beyond loopback must refuse to start with it.
 * Everything else in test/adversarial/ attacks the default `rootless` profile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';

describe('the isolation profile a server may use', () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.2', 'drydock.example.org']) {
    it(`refuses dind when listening on ${host}`, () => {
      assert.throws(
        () => loadConfig({ DRYDOCK_SANDBOX_PROFILE: 'dind', DRYDOCK_HOST: host }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(
            error.message,
            /DRYDOCK_SANDBOX_PROFILE: "dind" makes every learner root-equivalent/,
          );
          return true;
        },
      );
    });
  }

  it('allows dind on loopback only, and defaults to rootless everywhere', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1'])
      assert.equal(
        loadConfig({ DRYDOCK_SANDBOX_PROFILE: 'dind', DRYDOCK_HOST: host }).sandbox.profile,
        'dind',
      );
    assert.equal(loadConfig({ DRYDOCK_HOST: '0.0.0.0' }).sandbox.profile, 'rootless');
  });
});

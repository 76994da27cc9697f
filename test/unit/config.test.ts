import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../lab-server/config.ts';

describe('configuration', () => {
  it('has safe defaults: loopback only, limits on', () => {
    const config = loadConfig({}, '/srv/drydock');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.root, '/srv/drydock');
    assert.equal(config.idleTimeoutMs, 15 * 60_000);
    assert.equal(config.sessionLimitMs, 2 * 3_600_000);
    assert.ok(
      config.sandbox.memoryBytes > 0 && config.sandbox.pidsLimit > 0 && config.sandbox.nanoCpus > 0,
    );
    assert.equal(config.sandbox.profile, 'rootless');
  });

  it('refuses root-equivalent sandboxes on a server others can reach', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      assert.throws(
        () => loadConfig({ DRYDOCK_SANDBOX_PROFILE: 'dind', DRYDOCK_HOST: host }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /DRYDOCK_SANDBOX_PROFILE: "dind".*only allowed when the server listens on loopback/.test(
            error.message,
          ),
        host,
      );
    }
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      assert.equal(
        loadConfig({ DRYDOCK_SANDBOX_PROFILE: 'dind', DRYDOCK_HOST: host }).sandbox.profile,
        'dind',
        host,
      );
    }
    assert.equal(loadConfig({ DRYDOCK_HOST: '0.0.0.0' }).sandbox.profile, 'rootless');
  });

  it('reads durations and sizes in friendly units', () => {
    const config = loadConfig({
      DRYDOCK_IDLE_TIMEOUT: '90s',
      DRYDOCK_SESSION_LIMIT: '1.5h',
      DRYDOCK_SANDBOX_MEMORY: '512m',
      DRYDOCK_SANDBOX_CPUS: '0.5',
    });
    assert.equal(config.idleTimeoutMs, 90_000);
    assert.equal(config.sessionLimitMs, 5_400_000);
    assert.equal(config.sandbox.memoryBytes, 512 * 1024 * 1024);
    assert.equal(config.sandbox.nanoCpus, 500_000_000);
  });

  it('keeps a class’s warm sandboxes 10 minutes after its opening by default, up to 2 hours', () => {
    assert.equal(loadConfig({}).warm.classGraceMs, 10 * 60_000);
    assert.equal(loadConfig({ DRYDOCK_CLASS_WARM_GRACE: '30m' }).warm.classGraceMs, 30 * 60_000);
    assert.equal(loadConfig({ DRYDOCK_CLASS_WARM_GRACE: '0' }).warm.classGraceMs, 0);
    assert.throws(
      () => loadConfig({ DRYDOCK_CLASS_WARM_GRACE: '3h' }),
      /DRYDOCK_CLASS_WARM_GRACE: use at most 2h, e\.g\. 10m/,
    );
  });

  it('gives each session’s live checks 10% of each minute by default, a share the operator may change or turn off', () => {
    const { liveChecks } = loadConfig({});
    assert.deepEqual([liveChecks.share, liveChecks.windowMs], [0.1, 60_000]);
    assert.ok(liveChecks.concurrency >= 1);
    assert.equal(loadConfig({ DRYDOCK_LIVE_CHECK_BUDGET: '2.5%' }).liveChecks.share, 0.025);
    assert.equal(loadConfig({ DRYDOCK_LIVE_CHECK_BUDGET: 'off' }).liveChecks.share, 0);
    assert.equal(loadConfig({ DRYDOCK_LIVE_CHECK_BUDGET: '0' }).liveChecks.share, 0);
    assert.equal(loadConfig({ DRYDOCK_LIVE_CHECK_CONCURRENCY: '3' }).liveChecks.concurrency, 3);
    for (const wrong of ['10', '150%', 'lots'])
      assert.throws(
        () => loadConfig({ DRYDOCK_LIVE_CHECK_BUDGET: wrong }),
        /DRYDOCK_LIVE_CHECK_BUDGET: ".*" is not a share of time; use a percentage such as 10% \(at most 100%\), or off/,
      );
    assert.throws(
      () => loadConfig({ DRYDOCK_LIVE_CHECK_CONCURRENCY: '0' }),
      /DRYDOCK_LIVE_CHECK_CONCURRENCY/,
    );
  });

  it('names the variable and the expected form when a value is wrong', () => {
    assert.throws(
      () => loadConfig({ DRYDOCK_IDLE_TIMEOUT: 'soon', DRYDOCK_PORT: 'eighty' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /DRYDOCK_IDLE_TIMEOUT: "soon" is not a duration; use e\.g\. 90s, 15m or 2h/,
        );
        assert.match(error.message, /DRYDOCK_PORT/);
        return true;
      },
    );
  });

  it('has capacity, per-learner and per-address limits on by default, room for a class of 60 at one address', () => {
    const config = loadConfig({});
    assert.deepEqual(config.hostReserve, { memoryBytes: 1024 ** 3, diskBytes: 5 * 1024 ** 3 });
    assert.deepEqual(config.clients, {
      maxSessions: 2,
      maxSessionsPerAddress: 60,
      createPerMinute: 10,
      createPerAddressPerMinute: 120,
      apiPerMinute: 300,
      apiPerAddressPerMinute: 20_000,
    });
    assert.equal(config.trustProxy, false);
  });

  it('admits by real memory use with an overcommit of 6 by default, planning with the whole host', () => {
    const config = loadConfig({});
    assert.equal(config.memoryOvercommit, 6);
    assert.equal(config.hostMemoryBytes, undefined);
    const set = loadConfig({ DRYDOCK_MEMORY_OVERCOMMIT: '2.5', DRYDOCK_HOST_MEMORY: '16g' });
    assert.equal(set.memoryOvercommit, 2.5);
    assert.equal(set.hostMemoryBytes, 16 * 1024 ** 3);
  });

  it('refuses an overcommit below 1 and host memory that leaves nothing after the reserve, saying why', () => {
    assert.throws(
      () => loadConfig({ DRYDOCK_MEMORY_OVERCOMMIT: '0.5' }),
      /DRYDOCK_MEMORY_OVERCOMMIT: use 1 or more: 1 counts every sandbox at its full limit/,
    );
    assert.throws(
      () => loadConfig({ DRYDOCK_MEMORY_OVERCOMMIT: 'lots' }),
      /DRYDOCK_MEMORY_OVERCOMMIT: use a number such as 6/,
    );
    assert.throws(
      () => loadConfig({ DRYDOCK_HOST_MEMORY: '1g', DRYDOCK_HOST_RESERVE_MEMORY: '1g' }),
      /DRYDOCK_HOST_MEMORY: .*leaves nothing for sandboxes after DRYDOCK_HOST_RESERVE_MEMORY/,
    );
  });

  for (const [text, expected] of [
    ['false', false],
    ['true', true],
    ['2', 2],
    ['127.0.0.1, 10.0.0.0/8', ['127.0.0.1', '10.0.0.0/8']],
    ['::1', ['::1']],
  ] as const) {
    it(`reads DRYDOCK_TRUST_PROXY=${text}`, () => {
      assert.deepEqual(loadConfig({ DRYDOCK_TRUST_PROXY: text }).trustProxy, expected);
    });
  }

  it('refuses a proxy setting it cannot read, naming the variable', () => {
    assert.throws(
      () => loadConfig({ DRYDOCK_TRUST_PROXY: 'yes please' }),
      /DRYDOCK_TRUST_PROXY: "yes please" is not a proxy setting/,
    );
  });
});

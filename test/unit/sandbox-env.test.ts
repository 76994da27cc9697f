import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILES, sandboxEnv } from '../../lab-server/sandbox/profiles.ts';

const limits = (cpus: number) => ({
  memoryBytes: 1024 ** 3,
  diskBytes: 2 * 1024 ** 3,
  nanoCpus: Math.round(cpus * 1e9),
  pidsLimit: 2048,
});

describe('a sandbox’s environment', () => {
  it('keeps the profile’s own variables', () => {
    for (const profile of ['rootless', 'dind'] as const)
      assert.deepEqual(
        { ...sandboxEnv(profile, limits(1)), DRYDOCK_ENGINE_PROCS: undefined },
        { ...PROFILES[profile].env, DRYDOCK_ENGINE_PROCS: undefined },
      );
  });

  it('gives the engine as many Go schedulers as the CPU limit allows, rounded up', () => {
    assert.equal(sandboxEnv('rootless', limits(1)).DRYDOCK_ENGINE_PROCS, '1');
    assert.equal(sandboxEnv('rootless', limits(1.5)).DRYDOCK_ENGINE_PROCS, '2');
    assert.equal(sandboxEnv('dind', limits(4)).DRYDOCK_ENGINE_PROCS, '4');
  });

  it('never gives fewer than one', () => {
    assert.equal(sandboxEnv('rootless', limits(0.25)).DRYDOCK_ENGINE_PROCS, '1');
  });
});

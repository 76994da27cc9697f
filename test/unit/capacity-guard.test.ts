import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import {
  CapacityGuard,
  type GuardInput,
  overShare,
} from '../../lab-server/admission/capacity-guard.ts';

const M = 1024 ** 2;
const G = 1024 ** 3;

const sandboxes = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('which sandbox the capacity guard ends', () => {
  // 8 GiB planned for sandboxes (host memory − reserve), 1 GiB reserve.
  const base: GuardInput = { sandboxes: new Map(), live: 4, budgetBytes: 8 * G, reserveBytes: G };

  it('none while the sandboxes together stay within the memory planned for them', () => {
    // One uses far more than its 2 GiB share, but the host has room: nothing to end.
    const input = { ...base, sandboxes: sandboxes({ a: 5 * G, b: M, c: M, d: M }) };
    assert.equal(overShare(input), undefined);
  });

  it('past the planned memory, the one furthest over its share', () => {
    const input = { ...base, sandboxes: sandboxes({ a: 3 * G, b: 4 * G, c: 1.5 * G, d: M }) };
    assert.deepEqual(overShare(input), {
      containerId: 'b',
      usedBytes: 4 * G,
      shareBytes: 2 * G,
      mark: 'budget',
    });
  });

  it('when the host’s available memory falls below half the reserve, one over its share', () => {
    const input = {
      ...base,
      sandboxes: sandboxes({ a: 3 * G, b: M }),
      hostAvailableBytes: 400 * M,
    };
    assert.equal(overShare(input)?.containerId, 'a');
    assert.equal(overShare(input)?.mark, 'host');
    assert.equal(overShare({ ...input, hostAvailableBytes: 600 * M }), undefined);
  });

  it('none when the host is short but every sandbox keeps within its share', () => {
    const input = {
      ...base,
      sandboxes: sandboxes({ a: G, b: G, c: G, d: G }),
      hostAvailableBytes: 100 * M,
    };
    assert.equal(overShare(input), undefined);
  });

  it('shares among every live sandbox, starting ones included', () => {
    // Eight live: a share is 1 GiB, so a sandbox of 1.5 GiB is over it.
    const input = { ...base, live: 8, sandboxes: sandboxes({ a: 1.5 * G, b: 7 * G }) };
    assert.equal(overShare(input)?.shareBytes, G);
  });
});

describe('the capacity guard', () => {
  const quiet = { warn() {}, error() {} } as unknown as FastifyBaseLogger;

  const guard = (use: Map<string, number>, ended: string[]) =>
    new CapacityGuard({
      memory: { read: async () => ({ at: Date.now(), sandboxes: new Map(use) }) },
      limits: { hostReserve: { memoryBytes: G }, hostMemoryBytes: 5 * G },
      facts: async () => ({ memTotalBytes: 24 * G }),
      live: () => use.size,
      onOverShare: (id) => void ended.push(id),
      log: quiet,
    });

  it('names the sandbox over its share once, and no other until that one is gone', async () => {
    // DRYDOCK_HOST_MEMORY=5g with a 1 GiB reserve: 4 GiB for two sandboxes.
    const use = sandboxes({ bomb: 3.5 * G, calm: 800 * M });
    const ended: string[] = [];
    const g = guard(use, ended);
    assert.equal((await g.check())?.containerId, 'bomb');
    // Its removal takes a moment; the host looks as short as before meanwhile.
    use.set('calm', 2.5 * G);
    assert.equal(await g.check(), undefined);
    assert.deepEqual(ended, ['bomb']);
    // Once it is gone, the next one over its share may be named.
    use.delete('bomb');
    use.set('calm', 4.5 * G);
    assert.equal((await g.check())?.containerId, 'calm');
    assert.deepEqual(ended, ['bomb', 'calm']);
  });

  it('ends nothing while it cannot measure', async () => {
    const ended: string[] = [];
    const g = new CapacityGuard({
      memory: { read: async () => undefined },
      limits: { hostReserve: { memoryBytes: G } },
      facts: async () => ({ memTotalBytes: 2 * G }),
      live: () => 3,
      onOverShare: (id) => void ended.push(id),
      log: quiet,
    });
    assert.equal(await g.check(), undefined);
    assert.deepEqual(ended, []);
  });

  it('checks on its own once started, and stops', async () => {
    const ended: string[] = [];
    const g = new CapacityGuard({
      memory: { read: async () => ({ at: Date.now(), sandboxes: sandboxes({ bomb: 3 * G }) }) },
      limits: { hostReserve: { memoryBytes: G } },
      facts: async () => ({ memTotalBytes: 2 * G }),
      live: () => 1,
      onOverShare: (id) => void ended.push(id),
      log: quiet,
      intervalMs: 10,
    });
    g.start();
    while (ended.length === 0) await new Promise((r) => setTimeout(r, 10));
    await g.stop();
    assert.deepEqual(ended, ['bomb']);
  });
});

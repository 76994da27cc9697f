import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { memAvailable, MemoryMeter, workingSet } from '../../lab-server/admission/memory-meter.ts';

const M = 1024 ** 2;

function logger() {
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m) } as unknown as FastifyBaseLogger;
  return { log, warnings };
}

/** An engine whose containers use what `usage` says (undefined: gone, answered with 404). */
function engine(usage: Record<string, number | undefined>, counter = { lists: 0, stats: 0 }) {
  const docker = {
    listContainers: async () => {
      counter.lists++;
      return Object.keys(usage).map((Id) => ({ Id }));
    },
    getContainer: (id: string) => ({
      stats: async () => {
        counter.stats++;
        const bytes = usage[id];
        if (bytes === undefined)
          throw Object.assign(new Error('no such container'), { statusCode: 404 });
        return { memory_stats: { usage: bytes + 10 * M, stats: { total_inactive_file: 10 * M } } };
      },
    }),
  };
  return docker as unknown as Docker;
}

const meminfo = (availableKb: number) => {
  const file = join(mkdtempSync(join(tmpdir(), 'meminfo-')), 'meminfo');
  writeFileSync(
    file,
    `MemTotal:       24683568 kB\nMemFree:        21057576 kB\nMemAvailable:   ${availableKb} kB\n`,
  );
  return file;
};

describe('the memory meter', () => {
  it('takes a container’s working set as docker stats does: usage minus inactive file pages', () => {
    // cgroup v1: tmpfs pages (the sandbox's engine data) are in `cache` but not in inactive_file, so they count.
    const v1 = { usage: 300 * M, stats: { cache: 200 * M, total_inactive_file: 20 * M } };
    assert.equal(workingSet(v1), 280 * M);
    // cgroup v2 has no hierarchical totals.
    assert.equal(workingSet({ usage: 300 * M, stats: { inactive_file: 50 * M } }), 250 * M);
    assert.equal(workingSet({ usage: 300 * M, stats: {} }), 300 * M);
    assert.equal(workingSet({ usage: 0 }), undefined, 'a stopped container reports no usage');
    assert.equal(workingSet(undefined), undefined);
  });

  it('reads MemAvailable from /proc/meminfo', () => {
    assert.equal(memAvailable('MemTotal: 100 kB\nMemAvailable:   2048 kB\n'), 2 * M);
    assert.equal(memAvailable('MemTotal: 100 kB\n'), undefined, 'kernels before 3.14');
  });

  it('measures every running sandbox of its owner and the host’s available memory', async () => {
    const { log } = logger();
    const meter = new MemoryMeter(engine({ a: 105 * M, b: 400 * M }), {
      owner: 'o',
      local: true,
      log,
      meminfo: meminfo(4 * 1024 * 1024),
    });
    const reading = await meter.read();
    assert.deepEqual(
      reading?.sandboxes,
      new Map([
        ['a', 105 * M],
        ['b', 400 * M],
      ]),
    );
    assert.equal(reading?.hostAvailableBytes, 4 * 1024 * M);
  });

  it('leaves out a sandbox that went while it was measured', async () => {
    const { log, warnings } = logger();
    const meter = new MemoryMeter(engine({ a: 105 * M, gone: undefined }), {
      owner: 'o',
      local: false,
      log,
    });
    assert.deepEqual([...(await meter.read())!.sandboxes.keys()], ['a']);
    assert.deepEqual(warnings, [], 'a removed container is no fault');
  });

  it('does not read a remote engine’s host from this machine', async () => {
    const { log } = logger();
    const meter = new MemoryMeter(engine({ a: M }), {
      owner: 'o',
      local: false,
      log,
      meminfo: meminfo(1024),
    });
    assert.equal((await meter.read())?.hostAvailableBytes, undefined);
  });

  it('serves a recent reading again, and measures afresh when asked for one', async () => {
    const { log } = logger();
    const counter = { lists: 0, stats: 0 };
    const meter = new MemoryMeter(engine({ a: M, b: M }, counter), {
      owner: 'o',
      local: false,
      log,
    });
    await Promise.all([meter.read(), meter.read()]);
    await meter.read();
    assert.deepEqual(counter, { lists: 1, stats: 2 }, 'one measurement for three reads');
    await meter.read(0);
    assert.deepEqual(counter, { lists: 2, stats: 4 });
  });

  it('gives no reading while the engine does not answer, and says so once', async () => {
    const { log, warnings } = logger();
    const docker = {
      listContainers: async () => {
        throw new Error('connect ENOENT /var/run/docker.sock');
      },
    } as unknown as Docker;
    const meter = new MemoryMeter(docker, { owner: 'o', local: true, log });
    assert.equal(await meter.read(0), undefined);
    assert.equal(await meter.read(0), undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /counting each at its full limit until the engine answers/);
  });
});

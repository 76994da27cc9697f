import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { memoryCgroupOf } from '../../lab-server/admission/cgroup-memory.ts';
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

/**
 * A host laid out as a FIXTURE (these machines boot cgroup v1; the v2 layout is the one
 * Documentation/admin-guide/cgroup-v2.rst gives): process `pid` in `path`, whose memory
 * files say `usage` bytes, `inactive` of them inactive file pages.
 */
function hostWith(version: 1 | 2, pid: number, path: string, usage: number, inactive: number) {
  const root = mkdtempSync(join(tmpdir(), `drydock-memcg-v${version}-`));
  const roots = { proc: join(root, 'proc'), sysFsCgroup: join(root, 'cgroup') };
  mkdirSync(join(roots.proc, String(pid)), { recursive: true });
  const lines =
    version === 1
      ? `12:pids:${path}\n6:memory:${path}\n3:cpu,cpuacct:${path}\n1:name=systemd:${path}\n0::/\n`
      : `0::${path}\n`;
  writeFileSync(join(roots.proc, String(pid), 'cgroup'), lines);
  const dir = join(roots.sysFsCgroup, version === 1 ? 'memory' : '', path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, version === 1 ? 'memory.usage_in_bytes' : 'memory.current'),
    `${usage}\n`,
  );
  const inactiveKey = version === 1 ? 'total_inactive_file' : 'inactive_file';
  writeFileSync(join(dir, 'memory.stat'), `cache 1000\nshmem 900\n${inactiveKey} ${inactive}\n`);
  return { roots, dir };
}

describe('a sandbox’s memory, read from its cgroup on this machine', () => {
  for (const [version, path] of [
    [1, '/docker/3f2a9c'],
    [2, '/docker/3f2a9c'],
    [2, '/system.slice/docker-3f2a9c.scope'],
  ] as const) {
    it(`finds the memory cgroup of cgroup v${version} at ${path} through the container’s process`, async () => {
      const { roots, dir } = hostWith(version, 4242, path, 300 * M, 20 * M);
      assert.deepEqual(await memoryCgroupOf(4242, roots), { version, dir });
    });
  }

  it('finds nothing for a process it cannot see', async () => {
    const { roots } = hostWith(1, 4242, '/docker/x', M, 0);
    assert.equal(await memoryCgroupOf(999, roots), undefined);
  });

  it('reads the files instead of asking the engine for stats, and asks again once the cgroup is gone', async () => {
    const { roots, dir } = hostWith(1, 4242, '/docker/abc', 300 * M, 20 * M);
    const counter = { lists: 0, stats: 0 };
    const docker = engine({ abc: 100 * M }, counter) as unknown as {
      getContainer(id: string): object;
    };
    const getContainer = docker.getContainer.bind(docker);
    docker.getContainer = (id: string) => ({
      ...getContainer(id),
      inspect: async () => ({ State: { Running: true, Pid: 4242 } }),
    });
    const { log } = logger();
    const meter = new MemoryMeter(docker as unknown as Docker, {
      owner: 'o',
      local: true,
      log,
      roots,
      meminfo: meminfo(1024),
    });
    assert.equal((await meter.read(0))?.sandboxes.get('abc'), 280 * M);
    assert.equal(counter.stats, 0, 'no stats request');
    rmSync(dir, { recursive: true });
    // The fixture's process is gone too; the engine still answers for the container.
    rmSync(join(roots.proc, '4242'), { recursive: true });
    assert.equal((await meter.read(0))?.sandboxes.get('abc'), 100 * M);
    assert.equal(counter.stats, 1);
  });
});

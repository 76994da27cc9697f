/**
 * Reading a container's cgroup v2 counters (test/support/cgroup.ts). No cgroup
 * v2 host is reachable from where these tests were written (these machines boot
 * cgroup v1), so this test lays out a FIXTURE: a directory tree shaped like a v2
 * host's /proc/<pid>/cgroup and /sys/fs/cgroup, with the files and formats the
 * kernel documents (Documentation/admin-guide/cgroup-v2.rst). The v1 branch is
 * read from the real engine's containers in test/engine/cgroup-reading.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { processCgroup } from '../support/cgroup.ts';

const root = mkdtempSync(join(tmpdir(), 'drydock-cgroup-v2-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A v2 host where process `pid` lives in `cgroupPath`, with the given counter files. */
function v2Host(pid: number, cgroupPath: string, files: Record<string, string>) {
  const roots = { proc: join(root, `proc-${pid}`), sysFsCgroup: join(root, `sys-${pid}`) };
  mkdirSync(join(roots.proc, String(pid)), { recursive: true });
  writeFileSync(join(roots.proc, String(pid), 'cgroup'), `0::${cgroupPath}\n`);
  const dir = join(roots.sysFsCgroup, cgroupPath);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(roots.sysFsCgroup, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return roots;
}

const COUNTERS = {
  'memory.current': '402653184\n',
  'memory.events': 'low 0\nhigh 0\nmax 17\noom 3\noom_kill 2\noom_group_kill 0\n',
  'pids.current': '42\n',
  'pids.events': 'max 9\n',
  'cpu.stat':
    'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 10\nnr_throttled 4\nthrottled_usec 5000\n',
};

describe('a container’s cgroup counters on a cgroup v2 host (fixture)', () => {
  for (const [driver, path] of [
    ['cgroupfs', '/docker/3f2a9c'],
    ['systemd', '/system.slice/docker-3f2a9c.scope'],
  ] as const) {
    it(`are read from the unified hierarchy under the ${driver} driver’s path`, () => {
      const cgroup = processCgroup(4242, v2Host(4242, path, COUNTERS));
      assert.equal(cgroup.version, 2);
      assert.equal(cgroup.oomKills(), 2);
      assert.equal(cgroup.forkFailures(), 9);
      assert.equal(cgroup.cpuNanos(), 1_234_567_000);
      assert.equal(cgroup.memoryBytes(), 402_653_184);
      assert.equal(cgroup.pids(), 42);
    });
  }

  it('reads as not-a-number once the container’s cgroup is gone, so no comparison passes by accident', () => {
    const roots = v2Host(4343, '/docker/gone', COUNTERS);
    const cgroup = processCgroup(4343, roots);
    rmSync(join(roots.sysFsCgroup, 'docker', 'gone'), { recursive: true });
    assert.ok(Number.isNaN(cgroup.oomKills()));
    assert.ok(Number.isNaN(cgroup.cpuNanos()));
    assert.ok(!(cgroup.oomKills() > 0));
  });

  it('takes a hybrid host’s per-controller hierarchies, not its empty unified one', () => {
    const roots = { proc: join(root, 'proc-hybrid'), sysFsCgroup: join(root, 'sys-hybrid') };
    mkdirSync(join(roots.proc, '77'), { recursive: true });
    writeFileSync(
      join(roots.proc, '77', 'cgroup'),
      '5:pids:/docker/abc\n4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n',
    );
    for (const [dir, name, text] of [
      ['pids', 'pids.current', '7\n'],
      ['memory', 'memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 5\n'],
      ['cpu,cpuacct', 'cpuacct.usage', '99\n'],
    ] as const) {
      mkdirSync(join(roots.sysFsCgroup, dir, 'docker', 'abc'), { recursive: true });
      writeFileSync(join(roots.sysFsCgroup, dir, 'docker', 'abc', name), text);
    }
    const cgroup = processCgroup(77, roots);
    assert.equal(cgroup.version, 1);
    assert.equal(cgroup.pids(), 7);
    assert.equal(cgroup.oomKills(), 5);
    assert.equal(cgroup.cpuNanos(), 99);
  });
});

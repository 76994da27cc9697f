/**
 * The counters the adversarial and fault suites assert on (test/support/cgroup.ts),
 * read from a real container of the machine's engine: whatever cgroup version the
 * host boots (v1 on these machines; the v2 layout is covered by a fixture in
 * test/unit/cgroup.test.ts), each counter moves when the container does what it
 * counts. The container is small busybox (the lab-base image), with tight limits.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { type CgroupCounters, containerCgroup } from '../support/cgroup.ts';
import { leftovers, newOwner, ROOT } from '../support/platform.ts';

const MiB = 1024 ** 2;

describe('a container’s cgroup counters, read on this host', { timeout: 180_000 }, () => {
  const docker = new Docker();
  const owner = newOwner('cgroup');
  let container: Docker.Container;
  let cgroup: CgroupCounters;

  /** Runs a busybox shell command in the container; returns its exit code. */
  const run = async (script: string): Promise<number> => {
    const exec = await container.exec({
      Cmd: ['sh', '-c', script],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    await new Promise((r) => stream.once('end', r));
    stream.destroy();
    for (;;) {
      const { Running, ExitCode } = await exec.inspect();
      if (!Running && ExitCode !== null) return ExitCode;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    const image = loadImageCatalog(join(ROOT, 'images')).find((r) => r.slug === 'lab-base')!.tag;
    container = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '3600'],
      Labels: { [LABEL.platform]: PLATFORM, [LABEL.owner]: owner },
      HostConfig: {
        NetworkMode: 'none',
        Memory: 32 * MiB,
        MemorySwap: 32 * MiB,
        PidsLimit: 24,
        NanoCpus: 1e9,
      },
    });
    await container.start();
    cgroup = await containerCgroup(container.id);
  });

  after(async () => {
    await container?.remove({ force: true });
    assert.deepEqual(await leftovers(owner), [], 'the test left its container behind');
  });

  it('are found in the hierarchy the engine reports', async () => {
    const info = (await docker.info()) as { CgroupVersion?: string };
    assert.equal(cgroup.version, Number(info.CgroupVersion ?? '1'));
    assert.ok(cgroup.pids() >= 1, `processes now: ${cgroup.pids()}`);
    assert.ok(cgroup.memoryBytes() > 0, `memory now: ${cgroup.memoryBytes()}`);
  });

  it('count CPU time as the container burns it', async () => {
    const before = cgroup.cpuNanos();
    // 3 s of wall time: on a 2-core machine busy with other lanes the loop may get a
    // sixth of a core, which is still well over the 0.2 s asked.
    await run('timeout 3 sh -c "while :; do :; done"');
    const used = cgroup.cpuNanos() - before;
    assert.ok(used > 0.2e9, `CPU time used in a 3 s busy loop: ${used / 1e9} s`);
  });

  it('count an OOM kill, and memory stays within the limit', async () => {
    const before = { oomKills: cgroup.oomKills() };
    assert.equal(await run('tail /dev/zero'), 137, 'the OOM killer ended the memory hog');
    assert.ok(
      cgroup.oomKills() > before.oomKills,
      `OOM kills: ${before.oomKills} → ${cgroup.oomKills()}`,
    );
    assert.ok(cgroup.memoryBytes() <= 32 * MiB, `memory now: ${cgroup.memoryBytes()}`);
  });

  it('count forks refused by the pids limit', async () => {
    const before = cgroup.forkFailures();
    await run('for i in $(seq 40); do sleep 2 & done; wait');
    assert.ok(
      cgroup.forkFailures() > before,
      `refused forks: ${before} → ${cgroup.forkFailures()}`,
    );
  });
});

import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { HostProbe, isLocalEngine } from '../../lab-server/admission/host-probe.ts';

/** A logger that keeps its warnings. */
function logger() {
  const warnings: string[] = [];
  const log = { warn: (m: string) => warnings.push(m) } as unknown as FastifyBaseLogger;
  return { log, warnings };
}

const engine = (info: () => Promise<object>) => ({ info }) as unknown as Docker;

describe('measuring the engine host', () => {
  it('tells a local engine from a remote one', () => {
    assert.equal(isLocalEngine('unix:///var/run/docker.sock'), true);
    assert.equal(isLocalEngine('tcp://127.0.0.1:2375'), true);
    assert.equal(isLocalEngine('tcp://docker.example:2375'), false);
  });

  it('reports MemTotal and the free space of a local engine’s data directory', async () => {
    const { log } = logger();
    const probe = new HostProbe(
      engine(async () => ({ MemTotal: 8 * 1024 ** 3, DockerRootDir: tmpdir() })),
      'unix:///var/run/docker.sock',
      log,
    );
    const facts = await probe.facts();
    assert.equal(facts.memTotalBytes, 8 * 1024 ** 3);
    assert.ok(facts.diskFreeBytes !== undefined && facts.diskFreeBytes > 0);
  });

  it('skips the disk for a remote engine, and says so once', async () => {
    const { log, warnings } = logger();
    const probe = new HostProbe(
      engine(async () => ({ MemTotal: 1024, DockerRootDir: '/var/lib/docker' })),
      'tcp://docker.example:2375',
      log,
    );
    assert.deepEqual(await probe.facts(), { memTotalBytes: 1024 });
    await probe.facts();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /remote.*disk admission check is off/);
  });

  it('skips the disk when the data directory is not visible here', async () => {
    const { log, warnings } = logger();
    const probe = new HostProbe(
      engine(async () => ({ MemTotal: 1024, DockerRootDir: '/nonexistent/docker' })),
      'unix:///var/run/docker.sock',
      log,
    );
    assert.deepEqual(await probe.facts(), { memTotalBytes: 1024 });
    assert.match(warnings.join('\n'), /cannot measure free space.*ENOENT/);
  });

  it('measures nothing while the engine does not answer, and says so once', async () => {
    const { log, warnings } = logger();
    const probe = new HostProbe(
      engine(() => Promise.reject(new Error('connect ENOENT'))),
      'unix:///nonexistent.sock',
      log,
    );
    assert.deepEqual(await probe.facts(), {});
    assert.deepEqual(await probe.facts(), {});
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /by count only/);
  });
});

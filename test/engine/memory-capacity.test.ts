/**
 * Admission by the memory sandboxes really use, on the real engine: a host
 * holds more sandboxes than counting their limits allowed, a learner waits
 * (never fails) once real use leaves no room, and a sandbox that grows past
 * its share while the host runs short is ended with reason `capacity`, its
 * learner told why, its neighbour untouched. The host's size is configured
 * small (DRYDOCK_HOST_MEMORY) so that a few sandboxes fill it; nothing here is
 * faked: the meter and the guard are the app's own (plugins/capacity.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { END_MESSAGES } from '../../protocol/end-reasons.ts';
import { roomFor } from '../../lab-server/admission/room.ts';
import { asLearner } from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { startFrom } from '../support/api.ts';

const LAB = 'named-volume-masks-image';
const MiB = 1024 ** 2;

interface Created {
  id: string;
  token: string;
}
interface Refusal {
  code: string;
  message: string;
  queue?: { position: number; ticket: string };
}

const create = (app: FastifyInstance, ip: string, ticket?: string) =>
  startFrom(app, LAB, ip, ticket);
const view = async (app: FastifyInstance, ip: string, s: Created) =>
  (
    await app.inject({
      method: 'GET',
      url: `/api/sessions/${s.id}`,
      remoteAddress: ip,
      headers: { authorization: `Bearer ${s.token}` },
    })
  ).json<{ state: string; endReason?: string; message: string }>();

/** Starts a sandbox through the API, as a learner at `ip`, and waits until it is ready. */
async function startReady(platform: TestPlatform, ip: string): Promise<Created> {
  const res = await create(platform.app, ip);
  assert.equal(res.statusCode, 201, `learner ${ip} was not admitted: ${res.body}`);
  const created = res.json<Created>();
  const session = platform.sessions.get(created.id, created.token);
  await session.provisioned;
  assert.equal(session.state, 'ready', `session did not start: ${session.message}`);
  return created;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than a reading is reused (memory-meter.ts), so that the next decision sees the change. */
const NEXT_READING_MS = 2500;

describe('admission by the memory sandboxes really use', { timeout: 600_000 }, () => {
  it('admits more sandboxes than their limits allow, makes the next learner wait, and counts a sandbox that grows', async () => {
    // 2 GiB planned, 512 MiB reserve: sandboxes of 512 MiB + 512 MiB disk. Counting limits, one fits.
    const env = {
      DRYDOCK_MAX_SANDBOXES: '100',
      DRYDOCK_HOST_MEMORY: '2g',
      DRYDOCK_HOST_RESERVE_MEMORY: '512m',
      DRYDOCK_SANDBOX_MEMORY: '512m',
      DRYDOCK_SANDBOX_DISK: '512m',
      DRYDOCK_MEMORY_OVERCOMMIT: '3',
    };
    const byLimits = roomFor({
      live: 0,
      maxSandboxes: 100,
      sandboxMemoryBytes: 1024 * MiB,
      hostMemoryBytes: 2048 * MiB,
      reserve: { memoryBytes: 512 * MiB, diskBytes: 0 },
      host: {},
    }).slots;
    assert.equal(byLimits, 1);

    const platform = await startPlatform(env);
    const wiring = platform.app.capacity;
    try {
      // Each counts as 1 GiB ÷ 3 = 341 MiB until it uses more: 1.5 GiB hold four.
      const learners = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'];
      const started: Created[] = [];
      for (const ip of learners) started.push(await startReady(platform, ip));
      assert.ok(started.length > byLimits);
      const reading = await wiring.meter.read(0);
      const uses = [...reading!.sandboxes.values()].map((b) => Math.round(b / MiB));
      assert.equal(uses.length, 4, 'the meter sees each sandbox');
      assert.ok(
        uses.every((mib) => mib > 20 && mib < 341),
        `each ready sandbox uses less than its floor: ${uses.join(', ')} MiB`,
      );

      const full = await create(platform.app, '192.0.2.5');
      assert.equal(full.statusCode, 503);
      const refusal = full.json<{ error: Refusal }>().error;
      assert.equal(refusal.code, 'FULL');
      assert.equal(refusal.queue?.position, 1, 'the fifth learner waits in line');

      // One sandbox ends; another learner fills 450 MiB of tmpfs (engine data counts as memory).
      const [first, second] = started as [Created, Created];
      await platform.sessions.end(platform.sessions.get(first.id, first.token), 'stopped');
      const grower = platform.sessions.get(second.id, second.token);
      const fill = await asLearner(
        grower,
        'head -c 450m /dev/zero > /tmp/big && sync && echo filled',
      );
      assert.match(fill.output, /filled/);
      await pause(NEXT_READING_MS);
      const grown = (await wiring.meter.read(0))!.sandboxes.get(grower.sandbox!.id)!;
      assert.ok(
        grown > 450 * MiB,
        `the meter counts the tmpfs file: ${Math.round(grown / MiB)} MiB`,
      );
      const still = await create(platform.app, '192.0.2.5', refusal.queue.ticket);
      assert.equal(still.statusCode, 503, 'a free slot by count, but the grown sandbox took it');

      // The learner deletes the file: room again, for the one who waited.
      await asLearner(grower, 'rm /tmp/big');
      await pause(NEXT_READING_MS);
      const admitted = await create(platform.app, '192.0.2.5', refusal.queue.ticket);
      assert.equal(admitted.statusCode, 201, `the waiting learner gets in: ${admitted.body}`);
      await platform.sessions.get(admitted.json<Created>().id, admitted.json<Created>().token)
        .provisioned;

      // Within its own ceiling, a memory bomb still ends inside its sandbox, and the guard lets it be.
      const bomb = await asLearner(grower, 'timeout 60 tail /dev/zero; echo "rc=$?"', {
        timeoutMs: 90_000,
      });
      assert.match(bomb.output, /rc=137/, 'the sandbox’s own OOM killer ended the bomb');
      await pause(NEXT_READING_MS);
      assert.equal(grower.state, 'ready', `the guard left it alone: ${grower.message}`);
    } finally {
      await wiring.guard.stop();
      await platform.close();
    }
    await assertNothingLeft(platform.owner);
  });

  it('ends a sandbox that grows past its share while the host runs short, with reason capacity, and spares its neighbour', async () => {
    // 1 GiB planned for sandboxes whose ceiling is 1.25 GiB: each counts as 512 MiB, so two fit,
    // and one that grows to 1.1 GiB takes the host past what was planned before its own limit.
    const platform = await startPlatform({
      DRYDOCK_MAX_SANDBOXES: '100',
      DRYDOCK_HOST_MEMORY: '1536m',
      DRYDOCK_HOST_RESERVE_MEMORY: '512m',
      DRYDOCK_SANDBOX_MEMORY: '768m',
      DRYDOCK_SANDBOX_DISK: '512m',
      DRYDOCK_MEMORY_OVERCOMMIT: '2.5',
    });
    const wiring = platform.app.capacity;
    try {
      const grower = await startReady(platform, '198.51.100.1');
      const neighbour = await startReady(platform, '198.51.100.2');
      const session = platform.sessions.get(grower.id, grower.token);
      // Files in tmpfs hold their memory without a process to kill: only ending the sandbox frees
      // it. The guard may end the sandbox before the last file is written, which ends this command.
      await asLearner(
        session,
        'head -c 480m /dev/zero > /tmp/a; head -c 240m /dev/zero > /opt/b; head -c 240m /dev/zero > /srv/c',
        { timeoutMs: 60_000 },
      ).catch(() => undefined);

      const deadline = Date.now() + 30_000;
      while (
        Date.now() < deadline &&
        (await view(platform.app, '198.51.100.1', grower)).state !== 'ended'
      )
        await pause(250);
      const seen = await view(platform.app, '198.51.100.1', grower);
      assert.equal(seen.state, 'ended', 'the guard ended the sandbox within 30 s');
      assert.equal(seen.endReason, 'capacity');
      assert.equal(seen.message, END_MESSAGES.capacity);
      assert.match(seen.message, /more than its share.*Start the lab again/);
      // Its memory is freed once the sandbox is removed (close() does not wait for that).
      await session.removed;

      const other = await view(platform.app, '198.51.100.2', neighbour);
      assert.equal(other.state, 'ready', 'the neighbour keeps its sandbox');
      const works = await asLearner(
        platform.sessions.get(neighbour.id, neighbour.token),
        'docker version --format ok',
      );
      assert.equal(works.output.trim(), 'ok');
    } finally {
      await wiring.guard.stop();
      await platform.close();
    }
    await assertNothingLeft(platform.owner);
  });
});

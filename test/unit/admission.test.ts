import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { Admission } from '../../lab-server/admission/admission.ts';
import { clientOf } from '../../lab-server/admission/client-id.ts';
import { roomFor, type RoomInput } from '../../lab-server/admission/room.ts';
import { LineFullError, WaitingLine } from '../../lab-server/admission/waiting-line.ts';
import type { AppError } from '../../lab-server/errors.ts';

const G = 1024 ** 3;
const base: RoomInput = {
  live: 0,
  maxSandboxes: 8,
  sandboxMemoryBytes: 2 * G,
  reserve: { memoryBytes: G, diskBytes: 5 * G },
  host: {},
};

describe('room for another sandbox', () => {
  it('is the configured maximum minus the live sandboxes when the host cannot be measured', () => {
    assert.deepEqual(roomFor({ ...base, live: 3 }), { slots: 5 });
    assert.deepEqual(roomFor({ ...base, live: 8 }), { slots: 0, limitedBy: 'sandboxes' });
  });

  it('counts every live sandbox at its full memory limit, plus the new one, plus the reserve', () => {
    // 8 GiB host, 1 GiB reserve: 7 GiB for sandboxes of 2 GiB = 3 in all.
    const host = { memTotalBytes: 8 * G };
    assert.deepEqual(roomFor({ ...base, host, live: 0 }), { slots: 3 });
    assert.deepEqual(roomFor({ ...base, host, live: 2 }), { slots: 1 });
    assert.deepEqual(roomFor({ ...base, host, live: 3 }), { slots: 0, limitedBy: 'memory' });
  });

  it('admits nothing on a host too small for one sandbox and its reserve', () => {
    assert.deepEqual(roomFor({ ...base, host: { memTotalBytes: 2.5 * G } }), {
      slots: 0,
      limitedBy: 'memory',
    });
  });

  it('admits nothing while free disk is below the reserve, and ignores disk above it', () => {
    assert.deepEqual(roomFor({ ...base, host: { diskFreeBytes: 4 * G } }), {
      slots: 0,
      limitedBy: 'disk',
    });
    assert.deepEqual(roomFor({ ...base, host: { diskFreeBytes: 6 * G } }), { slots: 8 });
  });

  it('is never negative, whatever the counts', () => {
    assert.equal(roomFor({ ...base, live: 20, host: { memTotalBytes: G } }).slots, 0);
  });
});

describe('the waiting line', () => {
  const line = (now: { t: number }, maxLength?: number) => {
    let n = 0;
    return new WaitingLine({
      ttlMs: 30_000,
      now: () => now.t,
      newTicket: () => `t${++n}`,
      ...(maxLength ? { maxLength } : {}),
    });
  };

  it('lets a newcomer straight through while nobody waits and there is room', () => {
    const l = line({ t: 0 });
    assert.deepEqual(l.take({ client: 'a' }, 1), { admitted: true });
    assert.equal(l.length, 0);
  });

  it('gives places in order of arrival, and keeps them when asked again with the ticket', () => {
    const l = line({ t: 0 });
    assert.deepEqual(l.take({ client: 'a' }, 0), {
      admitted: false,
      ticket: 't1',
      position: 1,
      ahead: 0,
    });
    assert.deepEqual(l.take({ client: 'b' }, 0), {
      admitted: false,
      ticket: 't2',
      position: 2,
      ahead: 1,
    });
    assert.deepEqual(l.take({ client: 'b', ticket: 't2' }, 0), {
      admitted: false,
      ticket: 't2',
      position: 2,
      ahead: 1,
    });
    assert.deepEqual(l.take({ client: 'a', ticket: 't1' }, 0), {
      admitted: false,
      ticket: 't1',
      position: 1,
      ahead: 0,
    });
  });

  it('gives a free slot to the first in line, never to someone behind or a newcomer', () => {
    const l = line({ t: 0 });
    l.take({ client: 'a' }, 0);
    l.take({ client: 'b' }, 0);
    // One slot frees up: the second in line and a newcomer must wait for the first.
    assert.equal(l.take({ client: 'b', ticket: 't2' }, 1).admitted, false);
    assert.deepEqual(l.take({ client: 'c' }, 1), {
      admitted: false,
      ticket: 't3',
      position: 3,
      ahead: 2,
    });
    assert.deepEqual(l.take({ client: 'a', ticket: 't1' }, 1), { admitted: true });
    // Now b is first.
    assert.deepEqual(l.take({ client: 'b', ticket: 't2' }, 0), {
      admitted: false,
      ticket: 't2',
      position: 1,
      ahead: 0,
    });
  });

  it('lets as many through as there are free slots', () => {
    const l = line({ t: 0 });
    l.take({ client: 'a' }, 0);
    l.take({ client: 'b' }, 0);
    assert.equal(l.take({ client: 'b', ticket: 't2' }, 2).admitted, true);
    // b took one of the two slots: one is left, and it is a's.
    assert.equal(l.take({ client: 'c' }, 1).admitted, false, 'a still waits for the other slot');
    assert.equal(l.take({ client: 'a', ticket: 't1' }, 1).admitted, true);
  });

  it('drops a ticket not renewed in time; whoever presents it again starts at the back', () => {
    const now = { t: 0 };
    const l = line(now);
    l.take({ client: 'a' }, 0);
    now.t = 10_000;
    l.take({ client: 'b' }, 0);
    now.t = 35_000; // a's ticket is 35 s old, b's 25 s
    assert.equal(l.holds('t1'), false);
    assert.deepEqual(l.take({ client: 'b', ticket: 't2' }, 0), {
      admitted: false,
      ticket: 't2',
      position: 1,
      ahead: 0,
    });
    assert.deepEqual(l.take({ client: 'a', ticket: 't1' }, 0), {
      admitted: false,
      ticket: 't3',
      position: 2,
      ahead: 1,
    });
  });

  it('treats an unknown or forged ticket like no ticket', () => {
    const l = line({ t: 0 });
    l.take({ client: 'a' }, 0);
    assert.deepEqual(l.take({ client: 'b', ticket: 'forged' }, 1), {
      admitted: false,
      ticket: 't2',
      position: 2,
      ahead: 1,
    });
  });

  it('counts the places a client holds', () => {
    const l = line({ t: 0 });
    l.take({ client: 'a' }, 0);
    l.take({ client: 'a' }, 0);
    l.take({ client: 'b' }, 0);
    assert.equal(l.heldBy('a'), 2);
    assert.equal(l.heldBy('a', 't1'), 1);
  });

  it('turns newcomers away once the line is at its longest, but still serves ticket holders', () => {
    const l = line({ t: 0 }, 2);
    l.take({ client: 'a' }, 0);
    l.take({ client: 'b' }, 0);
    assert.throws(() => l.take({ client: 'c' }, 0), LineFullError);
    assert.equal(l.take({ client: 'a', ticket: 't1' }, 1).admitted, true);
  });
});

describe('client identity', () => {
  it('is the IPv4 address, also when it arrives IPv4-mapped', () => {
    assert.equal(clientOf('203.0.113.7'), '203.0.113.7');
    assert.equal(clientOf('::ffff:203.0.113.7'), '203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however it is written', () => {
    assert.equal(clientOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientOf('::1'), '0:0:0:0::/64');
    assert.equal(clientOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });
});

describe('admission', () => {
  const quiet = { info() {}, warn() {} } as unknown as FastifyBaseLogger;
  const request = (ip: string) => ({ ip, headers: {} }) as FastifyRequest;
  const limits = {
    maxSandboxes: 10,
    sandbox: { memoryBytes: 2 * G },
    hostReserve: { memoryBytes: G, diskBytes: 5 * G },
    clients: { maxSessions: 5, maxSessionsPerAddress: 60 },
  };

  it('puts a learner in line when the host’s memory, not the maximum, is used up', async () => {
    const sessions: { live: boolean }[] = [];
    const admission = new Admission({
      limits,
      live: () => sessions.filter((s) => s.live).length,
      facts: async () => ({ memTotalBytes: 5 * G }),
      log: quiet,
    });
    const create = () => {
      const s = { live: true };
      sessions.push(s);
      return s;
    };
    await admission.admit(request('10.0.0.1'), undefined, create);
    await admission.admit(request('10.0.0.2'), undefined, create);
    // 5 GiB − 1 GiB reserve holds two sandboxes of 2 GiB.
    await assert.rejects(
      admission.admit(request('10.0.0.3'), undefined, create),
      (error: AppError) => {
        assert.equal(error.code, 'FULL');
        const queue = error.details?.queue as { position: number; ahead: number };
        assert.equal(queue.position, 1);
        assert.equal(queue.ahead, 0);
        return true;
      },
    );
    sessions[0]!.live = false;
    await assert.rejects(
      admission.admit(request('10.0.0.4'), undefined, create),
      /number 2 in line/,
      'a newcomer cannot jump the line',
    );
  });

  it('counts a sandbox’s tmpfs-backed disk as memory when the sandbox has one', async () => {
    const withDisk = { ...limits, sandbox: { memoryBytes: G, diskBytes: G } };
    let live = 0;
    const admission = new Admission({
      limits: withDisk,
      live: () => live,
      facts: async () => ({ memTotalBytes: 4 * G }),
      log: quiet,
    });
    // 4 GiB − 1 GiB reserve holds one sandbox of 1 GiB memory + 1 GiB tmpfs, not two.
    await admission.admit(request('10.0.0.1'), undefined, () => ({ live: (live++, true) }));
    await assert.rejects(
      admission.admit(request('10.0.0.2'), undefined, () => ({ live: true })),
      /number 1 in line/,
    );
  });

  it('waits while free disk is below the reserve', async () => {
    const admission = new Admission({
      limits,
      live: () => 0,
      facts: async () => ({ diskFreeBytes: G }),
      log: quiet,
    });
    await assert.rejects(
      admission.admit(request('10.0.0.1'), undefined, () => ({ live: true })),
      /number 1 in line/,
    );
  });
});

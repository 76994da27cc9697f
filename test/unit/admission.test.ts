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

  it('lets a start that claims a warm sandbox in when memory is full: its room is counted already', () => {
    const host = { memTotalBytes: 8 * G };
    assert.deepEqual(roomFor({ ...base, host, live: 3 }), { slots: 0, limitedBy: 'memory' });
    assert.deepEqual(roomFor({ ...base, host, live: 3, claimsWarm: true }), { slots: 5 });
    assert.deepEqual(roomFor({ ...base, host, live: 8, claimsWarm: true }), {
      slots: 0,
      limitedBy: 'sandboxes',
    });
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

describe('room by the memory sandboxes really use', () => {
  const M = 1024 ** 2;
  // The defaults on a 24 GiB host: sandboxes limited to 1 GiB + 2 GiB of tmpfs disk, 1 GiB reserve.
  const host = { memTotalBytes: 24 * G };
  const defaults: RoomInput = {
    ...base,
    maxSandboxes: 1000,
    sandboxMemoryBytes: 3 * G,
    overcommit: 6,
    host,
  };
  const ready = (n: number, bytes: number) => Array<number>(n).fill(bytes);

  it('holds 40 ready sandboxes of a lab that uses 105 MiB each where counting limits held 7', () => {
    assert.deepEqual(roomFor({ ...defaults, overcommit: 1 }), { slots: 7 }, 'limits in full');
    // Each counts as 3 GiB ÷ 6 = 512 MiB: 23 GiB hold 46.
    const forty = roomFor({ ...defaults, live: 40, use: { sandboxes: ready(40, 105 * M) } });
    assert.deepEqual(forty, { slots: 6 });
    const full = roomFor({ ...defaults, live: 46, use: { sandboxes: ready(46, 105 * M) } });
    assert.deepEqual(full, { slots: 0, limitedBy: 'memory' });
  });

  it('makes new starts wait as the sandboxes’ real use nears the host’s memory', () => {
    const using = (gib: number) =>
      roomFor({ ...defaults, live: 20, use: { sandboxes: ready(20, gib * G) } });
    assert.deepEqual(using(0.1), { slots: 26 });
    // 20 sandboxes that grew to 1 GiB each leave 3 GiB: six more floors of 512 MiB.
    assert.deepEqual(using(1), { slots: 6 });
    assert.deepEqual(using(1.125), { slots: 1 });
    assert.deepEqual(using(1.15), { slots: 0, limitedBy: 'memory' });
  });

  it('counts sandboxes that are starting and not measured yet at the floor', () => {
    // 10 live, 2 measured at 2 GiB: 4 GiB + 8 unmeasured × 512 MiB = 8 GiB of 23.
    const input = { ...defaults, live: 10, use: { sandboxes: ready(2, 2 * G) } };
    assert.deepEqual(roomFor(input), { slots: 30 });
    assert.deepEqual(roomFor({ ...input, live: 2 }), { slots: 38 }, 'the same two alone');
  });

  it('counts every sandbox at its full limit with an overcommit of 1, or without a measurement', () => {
    const use = { sandboxes: ready(3, 105 * M) };
    assert.deepEqual(roomFor({ ...defaults, live: 3, overcommit: 1, use }), { slots: 4 });
    assert.deepEqual(roomFor({ ...defaults, live: 3 }), { slots: 4 }, 'not measured');
  });

  it('waits when the host itself has less available than the sandboxes may still grow into', () => {
    // Something besides these sandboxes took most of the host: 3 GiB are available, and
    // 10 sandboxes of 100 MiB may each grow to their 512 MiB floor (4 GiB) before the reserve.
    const use = { sandboxes: ready(10, 100 * M), hostAvailableBytes: 3 * G };
    assert.deepEqual(roomFor({ ...defaults, live: 10, use }), {
      slots: 0,
      limitedBy: 'host-memory',
    });
    const roomy = { ...use, hostAvailableBytes: 7 * G };
    // 7 GiB − 1 GiB reserve − 4.02 GiB of growth: three more floors.
    assert.deepEqual(roomFor({ ...defaults, live: 10, use: roomy }), { slots: 3 });
  });

  it('plans with DRYDOCK_HOST_MEMORY when it is less than the host has, never more', () => {
    const use = { sandboxes: [] };
    assert.deepEqual(roomFor({ ...defaults, hostMemoryBytes: 4 * G, use }), { slots: 6 });
    assert.deepEqual(roomFor({ ...defaults, hostMemoryBytes: 64 * G, use }), { slots: 46 });
    assert.deepEqual(roomFor({ ...defaults, host: {}, hostMemoryBytes: 4 * G, use }), {
      slots: 6,
    });
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

  it('admits by what the sandboxes really use, and makes a learner wait while that leaves no room', async () => {
    // 8 GiB host, 1 GiB reserve, 3 GiB limits: counting limits, two sandboxes fit.
    const sandboxes = new Map<string, number>();
    const memory = { read: async () => ({ at: Date.now(), sandboxes }) };
    let live = 0;
    const admission = new Admission({
      limits: {
        ...limits,
        maxSandboxes: 100,
        sandbox: { memoryBytes: G, diskBytes: 2 * G },
        memoryOvercommit: 6,
      },
      live: () => live,
      facts: async () => ({ memTotalBytes: 8 * G }),
      memory,
      log: quiet,
    });
    const create = (n: number) => () => {
      live++;
      sandboxes.set(`c${n}`, 100 * 1024 ** 2);
      return { live: true };
    };
    const ticketOf = (error: AppError) => (error.details?.queue as { ticket: string }).ticket;
    // Each counts as 512 MiB: 7 GiB hold fourteen.
    for (let n = 0; n < 14; n++)
      await admission.admit(request(`10.0.1.${n}`), undefined, create(n));
    const first = await admission
      .admit(request('10.0.0.1'), undefined, create(14))
      .then(() => assert.fail('admitted a fifteenth'), ticketOf);
    // Five sandboxes end, but one learner's builds took 3 GiB: still no room.
    sandboxes.set('c0', 3 * G);
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) sandboxes.delete(id);
    live = 9;
    await assert.rejects(
      admission.admit(request('10.0.0.1'), first, create(14)),
      /number 1 in line/,
    );
    // That sandbox ends too: the learner who waited gets in.
    sandboxes.delete('c0');
    live = 8;
    await admission.admit(request('10.0.0.1'), first, create(14));
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

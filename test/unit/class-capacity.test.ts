/**
 * Whether a machine can hold a class, before it starts: the class's learners
 * against the sandboxes its tightest limit lets run at once (the configured
 * maximum, or the memory planned for sandboxes ÷ what admission counts one
 * as), after the other classes of its window; the limit that decides is
 * named, and a class that does not fit is told what to change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classCapacity, machineFacts } from '../../lab-server/classes/class-capacity.ts';
import type { ClassRecord } from '../../lab-server/store/class-store.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const T = Date.parse('2026-12-04T09:00:00Z');
const HOUR = 3_600_000;

const settings = (
  extra: { maxSandboxes?: number; warmMax?: number; hostMemory?: number } = {},
) => ({
  maxSandboxes: extra.maxSandboxes ?? 40,
  warm: { max: extra.warmMax ?? 40 },
  sandbox: { memoryBytes: 1 * GiB, diskBytes: 2 * GiB },
  memoryOvercommit: 6,
  hostMemoryBytes: extra.hostMemory,
  hostReserve: { memoryBytes: 1 * GiB },
});

const record = (id: string, opensAt: number, hours: number, expectedSize: number): ClassRecord => ({
  id,
  name: id,
  labs: ['a'],
  opensAt,
  closesAt: opensAt + hours * HOUR,
  expectedSize,
  joinCode: 'ABCD1234',
  ownerId: null,
  createdAt: T - HOUR,
  endedAt: null,
});

const planned = (expectedSize: number) => ({ expectedSize, opensAt: T, closesAt: T + 3 * HOUR });

describe('whether a machine can hold a class', () => {
  it('counts a sandbox as admission does: its limits ÷ the overcommit, or what they use if more', () => {
    const host = { memTotalBytes: 25 * GiB };
    assert.equal(machineFacts(settings(), host).perSandboxBytes, 512 * MiB);
    assert.equal(machineFacts(settings(), host).memoryBudgetBytes, 24 * GiB);
    assert.equal(
      machineFacts(settings(), host, [100 * MiB, 900 * MiB]).perSandboxBytes,
      ((512 + 900) * MiB) / 2,
      'a sandbox using more than its floor counts as what it uses',
    );
    assert.equal(
      machineFacts(settings({ hostMemory: 9 * GiB }), host).memoryBudgetBytes,
      8 * GiB,
      'DRYDOCK_HOST_MEMORY plans with less than the host has',
    );
  });

  it('fits when the configured maximum binds, and says so beside what memory would allow', () => {
    const fit = classCapacity(
      planned(30),
      [],
      machineFacts(settings(), { memTotalBytes: 91 * GiB }),
    );
    assert.equal(fit.fits, true);
    assert.equal(fit.limitedBy, 'sandboxes');
    assert.equal(fit.sandboxes, 40);
    assert.match(fit.summary, /^Fits: 30 learners, and 40 sandboxes at once are left for it/);
    assert.match(
      fit.summary,
      /DRYDOCK_MAX_SANDBOXES=40 allows 40; memory: about 180 sandboxes of 512 MiB fit/,
    );
    assert.match(fit.summary, /All 30 of its first lab’s sandboxes are set up before it opens/);
    assert.equal(fit.fix, undefined);
  });

  it('does not fit when memory binds, and names how much memory to add', () => {
    const tight = classCapacity(
      planned(30),
      [],
      machineFacts(settings(), { memTotalBytes: 11 * GiB }),
    );
    assert.equal(tight.fits, false);
    assert.equal(tight.limitedBy, 'memory');
    assert.equal(tight.sandboxes, 20);
    assert.match(tight.summary, /^Does not fit: 30 learners, but only 20 sandboxes at once/);
    assert.match(
      tight.summary,
      /memory: about 20 sandboxes of 512 MiB fit; DRYDOCK_MAX_SANDBOXES=40/,
    );
    assert.match(tight.fix!, /add memory \(about 5 GiB more for 10 more sandboxes\)/);
    assert.match(tight.fix!, /split it into smaller classes/);
  });

  it('does not fit past DRYDOCK_MAX_SANDBOXES, and says to raise it when memory has room', () => {
    const over = classCapacity(
      planned(12),
      [],
      machineFacts(settings({ maxSandboxes: 8 }), { memTotalBytes: 25 * GiB }),
    );
    assert.equal(over.fits, false);
    assert.equal(over.limitedBy, 'sandboxes');
    assert.match(over.fix!, /^raise DRYDOCK_MAX_SANDBOXES to 12; or split/);
    assert.doesNotMatch(over.fix!, /memory/);
  });

  it('leaves the learners of overlapping classes out of the room, and not those of other times', () => {
    const machine = machineFacts(settings(), { memTotalBytes: 91 * GiB });
    const current = [
      record('c_same', T + HOUR, 3, 15),
      record('c_other', T + 5 * HOUR, 2, 30),
      record('c_self', T, 3, 30),
    ];
    const answer = classCapacity({ id: 'c_self', ...planned(30) }, current, machine);
    assert.equal(answer.fits, false, '40 sandboxes, 15 of them for the overlapping class');
    assert.deepEqual(answer.overlapping, { classes: 1, learners: 15 });
    assert.match(
      answer.summary,
      /only 25 sandboxes at once .*less the 15 learners another class expects at that time/,
    );
    assert.match(answer.fix!, /raise DRYDOCK_MAX_SANDBOXES to 45/);
    assert.match(answer.fix!, /move it to a time the other classes do not use/);
  });

  it('says how many sandboxes are warmed ahead: DRYDOCK_WARM_MAX, and one short of a full machine', () => {
    const capped = classCapacity(
      planned(30),
      [],
      machineFacts(settings({ warmMax: 10 }), { memTotalBytes: 91 * GiB }),
    );
    assert.equal(capped.warm, 10);
    assert.match(
      capped.summary,
      /10 of its first lab’s sandboxes are set up before it opens \(DRYDOCK_WARM_MAX=10\); the other 20 start when their learners press Start/,
    );
    const full = classCapacity(
      planned(40),
      [],
      machineFacts(settings(), { memTotalBytes: 91 * GiB }),
    );
    assert.equal(full.fits, true);
    assert.equal(full.warm, 39, 'a pool leaves room for one learner beyond it');
    const off = classCapacity(
      planned(5),
      [],
      machineFacts(settings({ warmMax: 0 }), { memTotalBytes: 91 * GiB }),
    );
    assert.equal(off.warm, 0);
    assert.match(off.summary, /Warm pools are off \(DRYDOCK_WARM_MAX=0\)/);
  });

  it('plans by the configured maximum alone when the host’s memory is unknown', () => {
    const unknown = classCapacity(planned(5), [], machineFacts(settings({ maxSandboxes: 8 }), {}));
    assert.equal(unknown.fits, true);
    assert.deepEqual(
      unknown.limits.map((l) => l.limit),
      ['sandboxes'],
    );
  });
});

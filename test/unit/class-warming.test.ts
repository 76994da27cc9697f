/**
 * Which warm sandboxes the current classes ask for: each class its first lab,
 * to its expected size by its opening; classes sharing a first lab add up,
 * ready by the earliest opening, never beyond the cap (DRYDOCK_WARM_MAX); a class
 * stops asking a grace after it opens (DRYDOCK_CLASS_WARM_GRACE); and a lab no
 * class wants any more has its reservation cancelled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClassWarming, reservationsFor } from '../../lab-server/classes/warm-reservations.ts';
import type { ClassRecord } from '../../lab-server/store/class-store.ts';

const T = Date.parse('2026-12-04T09:00:00Z');
const aClass = (labs: string[], opensAt: number, expectedSize: number): ClassRecord => ({
  id: `c_${labs.join('')}${opensAt}`,
  name: 'A class',
  labs,
  opensAt,
  closesAt: opensAt + 3 * 3_600_000,
  expectedSize,
  joinCode: 'ABCD1234',
  ownerId: null,
  createdAt: T - 86_400_000,
  endedAt: null,
});

describe('warm sandboxes for classes', () => {
  it('reserves each class’s first lab only, to its size by its opening', () => {
    const wanted = reservationsFor([aClass(['a', 'b', 'c'], T, 12)], 30);
    assert.deepEqual([...wanted], [['a', { size: 12, readyBy: new Date(T) }]]);
  });

  it('adds up classes that start with the same lab, ready by the earliest, within the cap', () => {
    const wanted = reservationsFor(
      [aClass(['a'], T + 3_600_000, 10), aClass(['a', 'b'], T, 15), aClass(['b'], T, 4)],
      20,
    );
    assert.deepEqual(wanted.get('a'), { size: 20, readyBy: new Date(T) });
    assert.deepEqual(wanted.get('b'), { size: 4, readyBy: new Date(T) });
  });

  it('asks nothing for a lab this server does not have, nor anything with warm pools off', () => {
    const classes = [aClass(['gone'], T, 5), aClass(['a'], T, 5)];
    assert.deepEqual([...reservationsFor(classes, 10, (slug) => slug !== 'gone').keys()], ['a']);
    assert.equal(reservationsFor(classes, 0).size, 0);
  });

  it('stops asking for a class’s lab once its grace after the opening is over', () => {
    const grace = 10 * 60_000;
    const classes = [aClass(['a'], T, 5), aClass(['a'], T + 3_600_000, 3)];
    const at = (now: number) => reservationsFor(classes, 30, undefined, { now, graceMs: grace });
    assert.deepEqual(at(T + grace - 1).get('a'), { size: 8, readyBy: new Date(T) });
    assert.deepEqual(
      at(T + grace).get('a'),
      { size: 3, readyBy: new Date(T + 3_600_000) },
      'the later class still reserves, by its own opening',
    );
    assert.equal(at(T + 3_600_000 + grace).size, 0);
  });

  it('cancels a class’s reservation as its grace runs out, without being asked again', async () => {
    const calls: [string, number][] = [];
    let now = T;
    const warming = new ClassWarming({
      reserve: (lab, size) => calls.push([lab, size]),
      cap: 30,
      graceMs: 60_000,
      now: () => now,
      tickMs: 5,
    });
    try {
      warming.sync([aClass(['a'], T, 5)]);
      assert.deepEqual(calls, [['a', 5]]);
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(calls, [['a', 5]], 'an unchanged reservation is not made again');
      now = T + 60_000;
      const deadline = Date.now() + 2000;
      while (calls.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(calls, [
        ['a', 5],
        ['a', 0],
      ]);
    } finally {
      warming.stop();
    }
  });

  it('cancels a reservation once no class wants its lab', () => {
    const calls: [string, number][] = [];
    const warming = new ClassWarming({
      reserve: (lab, size) => calls.push([lab, size]),
      cap: 30,
      graceMs: 600_000,
      now: () => T,
    });
    warming.sync([aClass(['a'], T, 5), aClass(['b'], T, 3)]);
    assert.deepEqual(calls, [
      ['a', 5],
      ['b', 3],
    ]);
    calls.length = 0;
    warming.sync([aClass(['b'], T, 3)]);
    assert.deepEqual(calls, [['a', 0]], 'b’s reservation stands as it was');
    calls.length = 0;
    warming.sync([]);
    assert.deepEqual(calls, [['b', 0]]);
    warming.stop();
  });
});

/**
 * Which warm sandboxes the current classes ask for: each class its first lab,
 * to its expected size by its opening; classes sharing a first lab add up,
 * ready by the earliest opening, never beyond the cap (DRYDOCK_WARM_MAX); and a
 * lab no class wants any more has its reservation cancelled.
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

  it('cancels a reservation once no class wants its lab', () => {
    const calls: [string, number][] = [];
    const warming = new ClassWarming((lab, size) => calls.push([lab, size]), 30);
    warming.sync([aClass(['a'], T, 5), aClass(['b'], T, 3)]);
    assert.deepEqual(calls, [
      ['a', 5],
      ['b', 3],
    ]);
    calls.length = 0;
    warming.sync([aClass(['b'], T, 3)]);
    assert.deepEqual(calls, [
      ['a', 0],
      ['b', 3],
    ]);
    calls.length = 0;
    warming.sync([]);
    assert.deepEqual(calls, [['b', 0]]);
  });
});

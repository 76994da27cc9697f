/**
 * Whether this machine can hold a class, said before it starts: its expected
 * learners (one sandbox each) against how many sandboxes admission would let
 * run at once, by the same limits a Start meets (admission/room.ts): the
 * configured maximum (DRYDOCK_MAX_SANDBOXES) and the memory planned for
 * sandboxes divided by what admission counts one as. The other current
 * classes whose window overlaps take their expected learners first. The
 * answer names the limit that decides and, when the class does not fit, what
 * to change. Pure, so that the sums are tested without an engine; the server
 * and `drydock doctor` gather the facts.
 *
 * What it cannot know: learners outside classes who start labs at that hour,
 * and how far each sandbox grows past what it uses now. Both only make a fit
 * tighter, so "fits" means "fits with what is planned".
 */
import type { CapacityLimit, ClassCapacity } from '../../protocol/classes.ts';
import { floorOf, type HostFacts, memoryBudget, type MemoryPlan } from '../admission/room.ts';
import type { ClassRecord } from '../store/class-store.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** What the machine offers a class, as admission sees it. */
export interface MachineFacts {
  /** DRYDOCK_MAX_SANDBOXES */
  maxSandboxes: number;
  /** DRYDOCK_WARM_MAX */
  warmMax: number;
  /** Memory planned for sandboxes (host memory − reserve); undefined when the host's is unknown. */
  memoryBudgetBytes: number | undefined;
  /** What admission counts one sandbox as: its limit ÷ the overcommit, or more if they use more. */
  perSandboxBytes: number;
}

/** The settings admission plans with (Config has them all). */
export interface CapacitySettings extends MemoryPlan {
  maxSandboxes: number;
  warm: { max: number };
  sandbox: { memoryBytes: number; diskBytes: number };
  memoryOvercommit: number;
}

/**
 * The machine's facts from the settings, the engine's host and, when the server
 * measured them, what its running sandboxes use (bytes each): admission counts
 * each as at least its floor, so a room of sandboxes using more raises the figure.
 */
export function machineFacts(
  settings: CapacitySettings,
  host: HostFacts,
  measured: readonly number[] = [],
): MachineFacts {
  const floor = floorOf(
    settings.sandbox.memoryBytes + settings.sandbox.diskBytes,
    settings.memoryOvercommit,
  );
  const counted = measured.map((used) => Math.max(used, floor));
  const mean = counted.length > 0 ? counted.reduce((a, b) => a + b, 0) / counted.length : floor;
  return {
    maxSandboxes: settings.maxSandboxes,
    warmMax: settings.warm.max,
    memoryBudgetBytes: memoryBudget(settings, host),
    perSandboxBytes: Math.max(floor, mean),
  };
}

/** The class asked about: a created one (its id keeps it from counting against itself) or a form's. */
export interface PlannedClass {
  id?: string;
  expectedSize: number;
  opensAt: number;
  closesAt: number;
}

const overlaps = (a: PlannedClass, b: ClassRecord) =>
  b.opensAt < a.closesAt && a.opensAt < b.closesAt;

const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
const gib = (bytes: number) => `${Math.max(1, Math.ceil(bytes / GiB))} GiB`;
const learners = (n: number) => `${n} learner${n === 1 ? '' : 's'}`;

/**
 * Whether the machine holds this class beside the `current` classes (not ended
 * nor closed; those outside its window are left out here).
 */
export function classCapacity(
  planned: PlannedClass,
  current: readonly ClassRecord[],
  machine: MachineFacts,
): ClassCapacity {
  const others = current.filter(
    (c) => c.id !== planned.id && c.endedAt === null && overlaps(planned, c),
  );
  const othersLearners = others.reduce((sum, c) => sum + c.expectedSize, 0);
  const limits: CapacityLimit[] = [
    {
      limit: 'sandboxes',
      sandboxes: machine.maxSandboxes,
      says: `DRYDOCK_MAX_SANDBOXES=${machine.maxSandboxes} allows ${machine.maxSandboxes}`,
    },
  ];
  let memoryFit: number | undefined;
  if (machine.memoryBudgetBytes !== undefined) {
    memoryFit = Math.max(0, Math.floor(machine.memoryBudgetBytes / machine.perSandboxBytes));
    limits.push({
      limit: 'memory',
      sandboxes: memoryFit,
      says: `memory: about ${memoryFit} sandboxes of ${mib(machine.perSandboxBytes)} fit`,
    });
  }
  // The binding limit first; on a tie, the configured maximum (the one an operator set on purpose).
  limits.sort((a, b) => a.sandboxes - b.sandboxes);
  const binding = limits[0]!;
  const room = Math.max(0, binding.sandboxes - othersLearners);
  const size = planned.expectedSize;
  const fits = size <= room;
  // A pool grows only while a learner beyond it would still find room (warm-pool.ts).
  const warm = Math.max(0, Math.min(size, machine.warmMax, room - 1));

  const because = limits.map((l) => l.says).join('; ');
  const besides =
    others.length > 0
      ? `, less the ${learners(othersLearners)} ${others.length === 1 ? 'another class expects' : `${others.length} other classes expect`} at that time`
      : '';
  const warming =
    machine.warmMax === 0
      ? ' Warm pools are off (DRYDOCK_WARM_MAX=0): each sandbox starts when its learner presses Start.'
      : warm >= size
        ? ` All ${size} of its first lab’s sandboxes are set up before it opens.`
        : ` ${warm} of its first lab’s sandboxes are set up before it opens (DRYDOCK_WARM_MAX=${machine.warmMax}); the other ${size - warm} start when their learners press Start.`;
  const summary = fits
    ? `Fits: ${learners(size)}, and ${room} sandboxes at once are left for it (${because}${besides}).${warming}`
    : `Does not fit: ${learners(size)}, but only ${room} sandboxes at once are left for it (${because}${besides}).`;
  const capacity: ClassCapacity = {
    fits,
    expectedSize: size,
    sandboxes: binding.sandboxes,
    limitedBy: binding.limit,
    limits,
    overlapping: { classes: others.length, learners: othersLearners },
    warm,
    summary,
  };
  if (!fits) capacity.fix = fixFor(size + othersLearners, machine, memoryFit, others.length);
  return capacity;
}

/** What to change so that `needed` sandboxes run at once. */
function fixFor(
  needed: number,
  machine: MachineFacts,
  memoryFit: number | undefined,
  others: number,
): string {
  const fixes: string[] = [];
  if (machine.maxSandboxes < needed) fixes.push(`raise DRYDOCK_MAX_SANDBOXES to ${needed}`);
  if (memoryFit !== undefined && memoryFit < needed)
    fixes.push(
      `add memory (about ${gib((needed - memoryFit) * machine.perSandboxBytes)} more for ${needed - memoryFit} more sandboxes) or raise DRYDOCK_MEMORY_OVERCOMMIT`,
    );
  const split =
    others > 0
      ? 'or move it to a time the other classes do not use, or split it into smaller classes'
      : 'or split it into smaller classes at different times';
  return `${fixes.join(', and ')}${fixes.length > 0 ? '; ' : ''}${split}`.replace(/^or /, '');
}

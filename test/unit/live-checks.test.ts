/**
 * When live checks run (docs/live-checks.md), on a clock the tests move: engine
 * events debounced into one run; a command's quiet terminal as another trigger,
 * not repeated when the engine's run already saw the command; at most one run
 * and one queued; a session's runs held back once its budget is spent, and let
 * through again as the window slides; the machine-wide cap on runs at once; and
 * the engine's event lines read as the live checks need them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { LiveCheckBudget } from '../../lab-server/live-checks/live-check-budget.ts';
import { LiveCheckSlots } from '../../lab-server/live-checks/live-check-slots.ts';
import {
  LiveCheckTrigger,
  type TriggerCause,
} from '../../lab-server/live-checks/live-check-trigger.ts';
import { parseEngineEvent } from '../../lab-server/sandbox/inner-engine-events.ts';

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('a session’s live-check budget', () => {
  it('lets runs through until the share of the window is spent, then says how long to wait', () => {
    const budget = new LiveCheckBudget({ share: 0.1, windowMs: 60_000 });
    assert.equal(budget.waitMs(0), 0);
    budget.spend(2000, 2000);
    budget.spend(5000, 2000);
    assert.equal(budget.usedMs(5000), 4000);
    assert.equal(budget.waitMs(5000), 0, '4 s of 6 s used');
    budget.spend(9000, 3000);
    // 7 s used: one more second of the oldest run must slide out of the window.
    assert.equal(budget.waitMs(9000), 52_001);
    assert.equal(budget.waitMs(9000 + 52_001), 0);
  });

  it('counts only the part of a run inside the window', () => {
    const budget = new LiveCheckBudget({ share: 0.1, windowMs: 60_000 });
    budget.spend(10_000, 10_000);
    assert.equal(budget.usedMs(65_000), 5000);
    assert.equal(budget.usedMs(70_001), 0);
  });

  it('never lets a run through with a share of 0', () => {
    const budget = new LiveCheckBudget({ share: 0, windowMs: 60_000 });
    assert.equal(budget.waitMs(0), Infinity);
  });
});

describe('the machine-wide cap on live runs', () => {
  it('runs at most its number at once, and hands a freed slot to the first in line', async () => {
    const slots = new LiveCheckSlots(2);
    const first = await slots.acquire();
    await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => (order.push('third'), release));
    const fourth = slots.acquire().then((release) => (order.push('fourth'), release));
    await flush();
    assert.deepEqual([slots.running, slots.waiting, order], [2, 2, []]);
    first();
    first(); // releasing twice frees one slot, not two
    await flush();
    assert.deepEqual([slots.running, slots.waiting, order], [2, 1, ['third']]);
    (await third)();
    (await fourth)();
    assert.equal(slots.running, 1);
  });
});

describe('when a session’s live checks run', () => {
  let runs: TriggerCause[];
  let ownEvents: boolean;
  let waits: number[];
  /** Resolves the run going on, with how long its checks took. */
  let finish: ((ms: number) => void) | undefined;
  let budget: LiveCheckBudget;
  let trigger: LiveCheckTrigger;

  const make = (share = 1) => {
    budget = new LiveCheckBudget({ share, windowMs: 60_000 });
    trigger = new LiveCheckTrigger({
      budget,
      timings: {
        engineDebounceMs: 500,
        engineMaxWaitMs: 3000,
        quietMs: 1500,
        engineAttentionMs: 300_000,
      },
      run: (cause) => {
        runs.push(cause);
        return new Promise<number>((resolve) => (finish = resolve));
      },
      ownEvents: () => ownEvents,
      onBudgetWait: (ms) => waits.push(ms),
    });
  };
  const tick = async (ms: number) => {
    mock.timers.tick(ms);
    await flush();
  };
  const end = async (ms = 100) => {
    const done = finish!;
    finish = undefined;
    done(ms);
    await flush();
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    runs = [];
    waits = [];
    ownEvents = false;
    make();
  });
  afterEach(() => {
    trigger.close();
    mock.timers.reset();
  });

  it('waits for the engine’s events to settle, then runs once', async () => {
    trigger.typed('d'); // the learner is at work: a key, not a command
    for (let i = 0; i < 5; i++) {
      trigger.engineChanged();
      await tick(200);
    }
    assert.deepEqual(runs, []);
    await tick(500);
    assert.deepEqual(runs, ['engine']);
  });

  it('runs within 3 s however long the engine keeps reporting', async () => {
    trigger.typed('d');
    for (let i = 0; i < 20; i++) {
      trigger.engineChanged();
      await tick(200);
    }
    assert.deepEqual(runs, ['engine']);
  });

  it('runs once the terminal has been quiet for 1.5 s after Enter, not after keys alone', async () => {
    trigger.typed('docker ps');
    await tick(5000);
    assert.deepEqual(runs, [], 'no command ran');
    trigger.typed('\r');
    await tick(1000);
    trigger.output(); // the command prints
    await tick(1000);
    assert.deepEqual(runs, []);
    await tick(600);
    assert.deepEqual(runs, ['terminal']);
  });

  it('does not run again for a quiet terminal when the engine’s run already saw the command', async () => {
    trigger.typed('\r');
    trigger.output();
    trigger.engineChanged();
    await tick(500);
    assert.deepEqual(runs, ['engine']);
    await end();
    await tick(2000);
    assert.deepEqual(runs, ['engine']);
  });

  it('ignores engine changes before the learner types anything (the sandbox’s own, or a loop’s)', async () => {
    trigger.engineChanged();
    await tick(5000);
    assert.deepEqual(runs, []);
  });

  it('ignores engine changes 5 minutes after the learner’s last key: a crash loop in an idle sandbox', async () => {
    trigger.typed('docker compose up -d\r');
    await tick(2000);
    assert.deepEqual(runs, ['terminal']);
    await end();
    await tick(4 * 60_000 - 2000);
    trigger.engineChanged(); // a long build ends, 4 minutes on
    await tick(500);
    assert.deepEqual(runs, ['terminal', 'engine']);
    await end();
    await tick(61_000);
    trigger.engineChanged(); // the loop's restart, 5 min 1.5 s after the last key
    await tick(5000);
    assert.deepEqual(runs, ['terminal', 'engine']);
    trigger.typed('d'); // back at work
    trigger.engineChanged();
    await tick(500);
    assert.deepEqual(runs, ['terminal', 'engine', 'engine']);
  });

  it('queues one run behind the running one, however many triggers come', async () => {
    trigger.request('engine');
    for (let i = 0; i < 10; i++) trigger.request(i % 2 ? 'engine' : 'terminal');
    assert.deepEqual(runs, ['engine']);
    await end();
    assert.deepEqual(runs, ['engine', 'terminal']);
    await end();
    assert.deepEqual(runs, ['engine', 'terminal']);
  });

  it('ignores engine events while the session’s own checks run', async () => {
    trigger.typed('d');
    ownEvents = true;
    trigger.engineChanged();
    await tick(5000);
    assert.deepEqual(runs, []);
  });

  it('holds runs back once the budget is spent, and runs when the window has room again', async () => {
    trigger.close();
    make(0.1); // 6 s a minute
    trigger.request('engine');
    await end(7000);
    trigger.request('engine');
    assert.deepEqual(runs, ['engine']);
    assert.equal(waits.length, 1);
    // Triggers meanwhile join the waiting run.
    trigger.request('terminal');
    await tick(waits[0]! - 1);
    assert.deepEqual(runs, ['engine']);
    await tick(1);
    assert.deepEqual(runs, ['engine', 'engine']);
  });

  it('never runs with live checks off', async () => {
    trigger.close();
    make(0);
    trigger.request('engine');
    await tick(120_000);
    assert.deepEqual(runs, []);
    assert.deepEqual(waits, [Infinity]);
  });
});

describe('the sandbox engine’s event lines', () => {
  it('reads state changes, health changes included, and nothing else', () => {
    assert.deepEqual(
      parseEngineEvent('{"Type":"image","Action":"delete","Actor":{"ID":"sha256:1"}}'),
      { type: 'image', action: 'delete' },
    );
    assert.deepEqual(parseEngineEvent('{"Type":"container","Action":"health_status: healthy"}'), {
      type: 'container',
      action: 'health_status',
    });
    assert.equal(parseEngineEvent('{"Type":"container","Action":"exec_start: ls"}'), undefined);
    assert.equal(parseEngineEvent('{"Type":"container","Action":"attach"}'), undefined);
    assert.equal(parseEngineEvent('not json'), undefined);
    assert.equal(parseEngineEvent('{"Action":"create"}'), undefined);
  });
});

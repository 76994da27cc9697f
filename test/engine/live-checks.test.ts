/**
 * Live checks against a real sandbox (docs/live-checks.md): a change in the
 * sandbox's own engine while the learner is at work, and a command run in the
 * terminal, each re-check the tasks without Check; the engine is followed only
 * once the learner typed, and a change in a sandbox nobody has typed in
 * re-checks nothing; a burst of engine changes is one run, not one per
 * event; a verdict that changes is recorded once, as a live `checked` event,
 * and told to the learner's terminal; the same verdict again is neither
 * recorded nor told; a terminal that attaches later is told what is known;
 * and Check still gives every task's verdict.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { Session } from '../../lab-server/sessions/session.ts';
import type { SignalMap } from '../../lab-server/signals.ts';
import { asLearner, openTerminal, readySessions } from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import type { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'dangling-images-cleanup';
const FIX =
  'docker image prune --force --filter label=project=beacon --filter until=24h >/dev/null && echo pruned-$((40+2))';

type Run = SignalMap['live-check'][0];

describe('live checks in a real sandbox', () => {
  let platform: TestPlatform;
  let session: Session;
  /** A second learner's sandbox, in which nobody types. */
  let idle: Session;
  let terminal: TerminalClient;
  const runs: Run[] = [];
  const opened: TerminalClient[] = [];

  const liveEvents = async () =>
    (await platform.app.store.events({ sessionId: session.id, types: ['checked'] })).filter(
      (e) => e.data.live === true,
    );
  const waitForRuns = async (count: number, what: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (runs.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Lets any debounce and queued run finish. */
  const quiet = async () => {
    await new Promise((r) => setTimeout(r, 2500));
    await platform.app.liveChecks.settled();
  };
  const liveMessages = (client: TerminalClient) =>
    client.control.filter((m) => m.type === 'live-check') as unknown as {
      results: { task: string; passed: boolean }[];
    }[];

  before(async () => {
    // The whole minute: the budget (unit-tested in live-check-budget.test.ts) would
    // otherwise hold back this suite's back-to-back runs on a busy machine.
    platform = await startPlatform({ DRYDOCK_LIVE_CHECK_BUDGET: '100%' }, { listen: true });
    platform.app.signals.on('live-check', (run) => runs.push(run));
    [session, idle] = await readySessions(platform, LAB, 2);
    terminal = await openTerminal(platform, session);
    opened.push(terminal);
    // A key and its erasure: the learner is at work, so engine changes count
    // (live-check-trigger.ts); no command runs.
    terminal.type('x\x7f');
  });
  after(async () => {
    console.log(
      `live runs: ${runs.map((r) => `${r.cause} ${r.seconds.toFixed(2)} s (${r.changed} changed)`).join(', ')}`,
    );
    for (const client of opened) client.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('follows the engine only in a sandbox its learner typed in: one process there, none in the other', async () => {
    // The engine's view of the sandbox's processes: the learner's shell sees
    // none of the follower's (it runs in the sandbox's own PID namespace).
    const followers = async (of: Session) => {
      const top = (await new Docker()
        .getContainer(of.sandbox!.id)
        .top({ ps_args: '-eo pid,args' })) as { Processes?: string[][] };
      return (top.Processes ?? []).filter((row) => row.at(-1)?.includes('/events?filters=')).length;
    };
    // The key typed in before() opens it, a moment later.
    const deadline = Date.now() + 15_000;
    while ((await followers(session)) !== 1) {
      if (Date.now() > deadline) assert.fail('no engine follower in the sandbox typed in');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await followers(idle), 0, 'none in the sandbox nobody typed in');
  });

  it('re-checks nothing when the engine changes in a sandbox nobody has typed in (a crash loop, all day)', async () => {
    const result = await asLearner(idle, 'docker tag drydock/lab-base:latest probe:idle');
    assert.equal(result.exitCode, 0, result.output);
    await quiet();
    assert.deepEqual(runs, []);
  });

  it('re-checks after the sandbox’s engine changes, and records nothing while every task still fails', async () => {
    const result = await asLearner(session, 'docker tag drydock/lab-base:latest probe:one');
    assert.equal(result.exitCode, 0, result.output);
    await waitForRuns(1, 'a live run after an engine change');
    assert.equal(runs[0]!.cause, 'engine');
    assert.equal(runs[0]!.changed, 0, 'a lab starts broken: its failures are no news');
    await quiet();
    assert.deepEqual(await liveEvents(), []);
    assert.deepEqual(liveMessages(terminal), [], 'the page is told nothing');
  });

  it('re-checks after a command typed in the terminal goes quiet, one that leaves the engine alone too', async () => {
    await quiet();
    const before = runs.length;
    terminal.type('echo "# edited" >> RETENTION.md && echo edited-$((40+2))\r');
    await terminal.waitForOutput(/\nedited-42\n/);
    await waitForRuns(before + 1, 'a live run after the terminal went quiet');
    assert.equal(runs.at(-1)!.cause, 'terminal');
  });

  it('makes a burst of engine changes one run, or one and the one queued behind it', async () => {
    await quiet();
    const before = runs.length;
    const result = await asLearner(
      session,
      'for i in $(seq 1 20); do docker tag drydock/lab-base:latest burst:$i; done',
    );
    assert.equal(result.exitCode, 0, result.output);
    await waitForRuns(before + 1, 'a live run after the burst');
    await quiet();
    const burst = runs.length - before;
    assert.ok(burst >= 1 && burst <= 2, `20 tags made ${burst} runs`);
  });

  it('flips the fixed tasks once a command typed in the terminal fixes them, and records the change once', async () => {
    await quiet();
    terminal.type(`${FIX}\r`);
    await terminal.waitForOutput(/\npruned-42\n/);
    await terminal.waitFor(
      () => liveMessages(terminal).some((m) => m.results.some((r) => r.passed)),
      'a live-check message with passed tasks',
    );
    const tasks = platform.app.labs.lab(LAB)!.manifest.tasks.map((t) => t.id);
    await terminal.waitFor(
      () =>
        tasks.every((task) =>
          liveMessages(terminal).some((m) => m.results.some((r) => r.task === task && r.passed)),
        ),
      'every task passed live',
    );
    await quiet();
    const recorded = (await liveEvents()).flatMap(
      (e) => e.data.results as { task: string; passed: boolean }[],
    );
    assert.deepEqual(recorded.map((r) => r.task).sort(), [...tasks].sort(), 'each task once');
    assert.ok(recorded.every((r) => r.passed));
  });

  it('records and tells nothing when a later change leaves the verdicts as they were', async () => {
    await quiet();
    const events = (await liveEvents()).length;
    const messages = liveMessages(terminal).length;
    const before = runs.length;
    await asLearner(session, 'docker tag drydock/lab-base:latest probe:two');
    await waitForRuns(before + 1, 'a live run after another change');
    await quiet();
    assert.equal(runs.at(-1)!.changed, 0);
    assert.equal((await liveEvents()).length, events);
    assert.equal(liveMessages(terminal).length, messages);
  });

  it('tells a terminal that attaches later every verdict known', async () => {
    const second = await openTerminal(platform, session);
    opened.push(second);
    await second.waitForControl('live-check', 10_000);
    const [first] = liveMessages(second);
    assert.ok(first!.results.length >= 3 && first!.results.every((r) => r.passed));
  });

  it('leaves Check as the explicit verdict: every task, recorded as a Check', async () => {
    const res = await fetch(`${platform.url}/api/sessions/${session.id}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(res.status, 200);
    const { results } = (await res.json()) as { results: { passed: boolean }[] };
    assert.ok(results.length >= 3 && results.every((r) => r.passed));
    const checks = await platform.app.store.events({ sessionId: session.id, types: ['checked'] });
    assert.equal(checks.at(-1)!.data.live, undefined);
  });
});

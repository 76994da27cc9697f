/**
 * A live check does not run beside a Check: a check may set up what it then judges
 * (container-to-host-localhost's writes a fresh gauge reading and looks for it on
 * the board), and two runs at once would each find the other's. A Check never
 * waits for a live check (those run at the lowest priority, and on a busy machine
 * would hold the learner's Check for as long). With the in-memory sandbox backend,
 * whose check script a test holds by its command line, and a real store.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ExecResult } from '../../lab-server/sandbox/sandbox.ts';
import { type FakePlatform, FakeProvider, startFakePlatform } from '../support/fake-sandbox.ts';
import { openTestStore } from '../support/store.ts';

const ok: ExecResult = { exitCode: 0, output: 'web runs', timedOut: false, truncated: false };
/** Which lab script an exec runs: LabRunner passes its name as bash's `$0`, then its arguments. */
const scriptOf = (cmd: string[]) => (cmd[4] === '/bin/bash' ? cmd.slice(7) : undefined);

describe('checks of one session', () => {
  let platform: FakePlatform;
  let provider: FakeProvider;
  let closeStore: () => Promise<void>;

  before(async () => {
    const opened = await openTestStore();
    closeStore = opened.close;
    provider = new FakeProvider();
    platform = await startFakePlatform(
      { DRYDOCK_OWNER: `turns-${randomBytes(4).toString('hex')}`, DRYDOCK_WARM_MAX: '0' },
      { store: opened.store, provider },
    );
  });
  after(async () => {
    await platform?.close();
    await closeStore?.();
  });

  it('runs no live check while a Check runs', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const held: (() => void)[] = [];
    provider.onExec = async (cmd) => {
      if (scriptOf(cmd)?.[0] !== 'web-runs.sh') return undefined;
      runs++;
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => held.push(resolve));
      running--;
      return ok;
    };
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id, token } = created.json<{ id: string; token: string }>();
    const session = platform.app.sessions.get(id, token);
    await session.provisioned;

    const check = platform.app.inject({
      method: 'POST',
      url: `/api/sessions/${id}/check`,
      headers: { authorization: `Bearer ${token}` },
    });
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The Check's run holds: a live check now has nothing to add, and runs nothing.
    assert.deepEqual(await platform.app.sessions.liveCheck(session), { ms: 0, changed: [] });
    held.shift()!();
    const answer = await check;
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.json<{ results: { passed: boolean }[] }>().results[0]!.passed, true);
    assert.equal(runs, 1, 'the Check ran the check, the live check did not');
    assert.equal(most, 1, 'never two runs at once in the sandbox');
  });
});

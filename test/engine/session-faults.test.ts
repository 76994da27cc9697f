/**
 * Faults a session must survive, or end from with a reason, against the real
 * engine: a dropped WebSocket, too many terminals, a killed lab server, a
 * sandbox that expired while the server was down, a sandbox the engine killed,
 * and the time-limit extension. Reconnect and restart-recovery times are
 * printed as diagnostics (not asserted: the machine is shared).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import {
  assertNothingLeft,
  leftovers,
  newOwner,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';
import { api } from '../support/api.ts';
import { spawnServer } from '../support/server-process.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:.*[#$] $/m;

interface Created {
  id: string;
  token: string;
  expiresAt: string;
}

async function until(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function createSession(base: string): Promise<Created> {
  const created = await api(base, '', 'POST', '/sessions', { lab: LAB });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as Created;
}

/** Opens a terminal and waits for the shell; returns it with the time from socket open to the first screen. */
async function attach(
  base: string,
  session: Created,
  screen: RegExp = PROMPT,
): Promise<{ terminal: TerminalClient; ms: number }> {
  const terminal = TerminalClient.open(base, session.id, session.token);
  await once(terminal.ws, 'open');
  const opened = performance.now();
  await terminal.waitForControl('ready', 120_000);
  await terminal.waitForOutput(screen, 30_000);
  return { terminal, ms: performance.now() - opened };
}

describe('a session survives a dropped connection and ends with a reason', () => {
  let platform: TestPlatform;
  let session: Created;
  const open: TerminalClient[] = [];

  before(async () => {
    platform = await startPlatform(
      {
        DRYDOCK_TERMINALS_PER_SESSION: '2',
        DRYDOCK_SESSION_EXTENSION: '10m',
        DRYDOCK_MAX_EXTENSIONS: '1',
      },
      { listen: true },
    );
    session = await createSession(platform.url);
  });
  after(async () => {
    for (const t of open) t.close();
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  it('reconnects a dropped WebSocket to the same shell, with the screen restored and the program still running', async (t) => {
    const first = await attach(platform.url, session);
    const mark = `m${Date.now()}`;
    // Output patterns differ from the typed command ($((…)) is expanded), and tmux
    // may redraw with cursor moves instead of newlines: no \n anchors below.
    first.terminal.type(`echo "$((1+1))-before-${mark}"; sleep 8; echo "$((6*7))-done-${mark}"\r`);
    await first.terminal.waitForOutput(new RegExp(`2-before-${mark}`));
    first.terminal.ws.terminate(); // no close frame: what a network drop looks like
    await first.terminal.waitForClose();

    const second = await attach(platform.url, session, new RegExp(`2-before-${mark}`));
    open.push(second.terminal);
    t.diagnostic(`reconnect (socket open → screen restored): ${second.ms.toFixed(0)} ms`);
    // The page fits its terminal on "ready": a screen drawn after that landed on the wrong lines.
    assert.match(
      second.terminal.textAt.get('ready') ?? '',
      new RegExp(`2-before-${mark}`),
      'the restored screen came before "ready"',
    );
    assert.doesNotMatch(
      second.terminal.text,
      new RegExp(`42-done-${mark}`),
      'the program was still running when the screen came back',
    );
    await second.terminal.waitForOutput(new RegExp(`42-done-${mark}`), 20_000);
    await second.terminal.waitForOutput(PROMPT);
  });

  it('shows one shell in every terminal of a session, and refuses terminals beyond the limit with 4429', async () => {
    const [a] = open;
    const { terminal: b } = await attach(platform.url, session);
    open.push(b);
    const mark = `shared-${Date.now()}`;
    a!.type(`echo "$((2+3))-${mark}"\r`);
    await b.waitForOutput(new RegExp(`5-${mark}`));

    const third = TerminalClient.open(platform.url, session.id, session.token);
    await third.waitForClose();
    assert.equal(third.closeCode, 4429);
    assert.match(third.closeReason, /Terminal 1 of this session is already open in 2 pages/);
  });

  it('extends the time limit once, then answers 409 with the reason', async () => {
    const extended = await api(
      platform.url,
      session.token,
      'POST',
      `/sessions/${session.id}/extend`,
    );
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    assert.equal(Date.parse(extended.body.expiresAt) - Date.parse(session.expiresAt), 10 * 60_000);
    assert.equal(extended.body.extensions, 1);
    assert.equal(extended.body.canExtend, false);

    const again = await api(platform.url, session.token, 'POST', `/sessions/${session.id}/extend`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'EXTENSION_REFUSED');
    assert.match(again.body.error.message, /already extended once/);
  });

  it('ends the session with reason "engine" when the engine kills the sandbox, even after the events stream dropped', async () => {
    // The events stream is dropped as a network fault would drop it; it must come back.
    platform.sessions.events!.drop();
    await new Promise((r) => setTimeout(r, 1500));
    const [a] = open;
    const live = platform.sessions.get(session.id, session.token);
    await new Docker().getContainer(live.sandbox!.id).kill();

    await a!.waitForControl('ended', 15_000);
    assert.equal(a!.control.find((m) => m.type === 'ended')?.reason, 'engine');
    await a!.waitForClose();
    assert.equal(a!.closeCode, 4410);
    const after = await api(platform.url, session.token, 'GET', `/sessions/${session.id}`);
    assert.equal(after.status, 200);
    assert.equal(after.body.state, 'ended');
    assert.equal(after.body.endReason, 'engine');
    assert.match(after.body.message, /stopped unexpectedly/);
    await live.removed;
    await assertNothingLeft(platform.owner);

    const late = TerminalClient.open(platform.url, session.id, session.token);
    await late.waitForClose();
    assert.equal(
      late.closeCode,
      4410,
      'a terminal opened later is told the session is over, not 404',
    );
  });
});

describe('a session survives the lab server being killed', () => {
  it('adopts the sandbox after kill -9: the old token reaches the same shell, still running', async (t) => {
    const owner = newOwner('faults');
    const first = await spawnServer({ DRYDOCK_OWNER: owner });
    let restarted: TestPlatform | undefined;
    try {
      const session = await createSession(first.url);
      const { terminal } = await attach(first.url, session);
      const mark = `k${Date.now()}`;
      terminal.type(`export MARK=${mark}; echo before-$MARK; sleep 20; echo survived-$MARK\r`);
      await terminal.waitForOutput(new RegExp(`before-${mark}`));
      await first.kill9();
      await terminal.waitForClose();
      assert.ok(
        (await leftovers(owner)).some((item) => item.startsWith('container ')),
        'the killed server left its sandbox running',
      );

      const started = performance.now();
      restarted = await startPlatform({ DRYDOCK_OWNER: owner }, { listen: true });
      const { terminal: again, ms } = await attach(
        restarted.url,
        session,
        new RegExp(`before-${mark}`),
      );
      const recovered = performance.now() - started;
      t.diagnostic(
        `restart recovery (new server start → shell screen restored): ${recovered.toFixed(0)} ms; reconnect part ${ms.toFixed(0)} ms`,
      );
      try {
        await again.waitForOutput(new RegExp(`survived-${mark}`), 30_000);
        again.type('echo "same shell: $MARK"\r');
        await again.waitForOutput(new RegExp(`same shell: ${mark}`));
        const state = await api(restarted.url, session.token, 'GET', `/sessions/${session.id}`);
        assert.equal(state.body.state, 'ready');
        assert.equal(state.body.expiresAt, session.expiresAt);
        const wrong = await api(restarted.url, 'not-the-token', 'GET', `/sessions/${session.id}`);
        assert.equal(wrong.status, 404, 'only the token opens an adopted session');
        const checked = await api(
          restarted.url,
          session.token,
          'POST',
          `/sessions/${session.id}/check`,
        );
        assert.equal(checked.status, 200, 'checks run in an adopted sandbox');
      } finally {
        again.close();
      }
    } finally {
      await first.kill9();
      await restarted?.close();
    }
    await assertNothingLeft(owner);
  });

  it('removes a sandbox whose time ran out while the server was down, and tells its learner why', async () => {
    const owner = newOwner('faults');
    const first = await spawnServer({ DRYDOCK_OWNER: owner, DRYDOCK_SESSION_LIMIT: '20s' });
    let restarted: TestPlatform | undefined;
    try {
      const session = await createSession(first.url);
      await until(
        async () =>
          (await api(first.url, session.token, 'GET', `/sessions/${session.id}`)).body.state ===
          'ready',
        'the session to be ready',
        60_000,
      );
      await first.kill9();
      await until(
        () => Date.now() > Date.parse(session.expiresAt) + 500,
        'the time limit to pass',
        30_000,
      );
      assert.ok(
        (await leftovers(owner)).some((item) => item.startsWith('container ')),
        'the killed server left its sandbox behind',
      );

      restarted = await startPlatform(
        { DRYDOCK_OWNER: owner, DRYDOCK_SESSION_LIMIT: '20s' },
        { listen: true },
      );
      await assertNothingLeft(owner);
      const state = await api(restarted.url, session.token, 'GET', `/sessions/${session.id}`);
      assert.equal(state.status, 200);
      assert.equal(state.body.state, 'ended');
      assert.equal(state.body.endReason, 'expired');
    } finally {
      await first.kill9();
      await restarted?.close();
    }
    await assertNothingLeft(owner);
  });
});

/**
 * Skipping a task with its solution over HTTP (`POST /api/sessions/:id/tasks/:task/solution`),
 * with the in-memory sandbox backend, whose lab scripts a test answers by their
 * command line, and a real store: the solve step runs with the task as its `$1`,
 * the task counts as shown in the answer, in later Checks, in the store and in
 * the session's events; and every refusal answers with a reason.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ExecResult } from '../../lab-server/sandbox/sandbox.ts';
import type { SessionStore } from '../../lab-server/store/session-store.ts';
import { type FakePlatform, FakeProvider, startFakePlatform } from '../support/fake-sandbox.ts';
import { openTestStore } from '../support/store.ts';

interface Created {
  id: string;
  token: string;
}
interface Answer {
  task: string;
  shown: string[];
  steps: { task: string; output: string }[];
  results: { task: string; passed: boolean; output: string; shown?: true }[];
}

const TASK = 'web-runs';
const ok = (output = ''): ExecResult => ({
  exitCode: 0,
  output,
  timedOut: false,
  truncated: false,
});
const failed = (output: string): ExecResult => ({
  exitCode: 1,
  output,
  timedOut: false,
  truncated: false,
});
/** Which lab script an exec runs: LabRunner passes its name as bash's `$0`, then its arguments. */
const scriptOf = (cmd: string[]) => (cmd[4] === '/bin/bash' ? cmd.slice(7) : undefined);

describe('skipping a task with its solution', () => {
  let store: SessionStore;
  let closeStore: () => Promise<void>;
  let platform: FakePlatform;
  let app: FastifyInstance;
  let provider: FakeProvider;
  let addresses = 0;

  before(async () => {
    ({ store, close: closeStore } = await openTestStore());
    provider = new FakeProvider();
    platform = await startFakePlatform(
      {
        DRYDOCK_OWNER: `skip-${randomBytes(4).toString('hex')}`,
        DRYDOCK_WARM_MAX: '0',
      },
      { store, provider },
    );
    app = platform.app;
  });
  after(async () => {
    await platform?.close();
    await closeStore?.();
  });

  const post = (path: string, token?: string, extra: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: path,
      remoteAddress: `10.7.0.${++addresses}`,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
    });
  const skip = (session: Created, task = TASK, token = session.token) =>
    post(`/api/sessions/${session.id}/tasks/${task}/solution`, token);
  const check = (session: Created) => post(`/api/sessions/${session.id}/check`, session.token);

  async function ready(): Promise<Created> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      remoteAddress: `10.8.0.${++addresses}`,
      payload: { lab: 'tiny-lab' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json<Created>();
    await app.sessions.get(created.id, created.token).provisioned;
    return created;
  }

  /** Lab scripts: the check fails until the solve step ran; `solve` answers the solve step. */
  function scenario(solve: (args: string[]) => Promise<ExecResult> = async () => ok('fixed')) {
    let solved = false;
    provider.onExec = async (cmd) => {
      const script = scriptOf(cmd);
      if (!script) return undefined;
      if (script[0] === 'solve.sh') {
        const result = await solve(script.slice(1));
        solved ||= result.exitCode === 0;
        return result;
      }
      if (script[0] !== 'web-runs.sh') return undefined; // setup
      return solved ? ok('web runs') : failed('no container named web');
    };
  }

  it('runs the task’s solve step, checks, and counts the task as shown, not passed, from then on', async () => {
    const solveArgs: string[][] = [];
    scenario(async (args) => {
      solveArgs.push(args);
      return ok('docker run -d --name web …');
    });
    const session = await ready();
    assert.equal((await check(session)).json<Answer>().results[0]!.passed, false);

    const res = await skip(session);
    assert.equal(res.statusCode, 200, res.body);
    const answer = res.json<Answer>();
    assert.deepEqual(solveArgs, [[TASK]], 'solve.sh ran once, for that task');
    assert.deepEqual(answer.shown, [TASK]);
    assert.deepEqual(
      answer.steps.map((s) => [s.task, s.output]),
      [[TASK, 'docker run -d --name web …']],
    );
    assert.deepEqual(
      answer.results.map((r) => [r.task, r.passed, r.shown]),
      [[TASK, true, true]],
    );

    // A later Check still says shown; the store and the events keep it, before the check.
    const later = (await check(session)).json<Answer>().results[0]!;
    assert.deepEqual([later.passed, later.shown], [true, true]);
    const [stored] = await store.checks(session.id);
    assert.ok(stored?.shownAt, 'the store has when it was shown');
    const events = await store.events({ sessionId: session.id });
    assert.deepEqual(
      events.map((e) => e.type),
      ['created', 'ready', 'checked', 'solution-applied', 'checked', 'checked'],
    );
    assert.deepEqual(events[3]!.data.shown, [TASK]);
    assert.equal(events[3]!.data.task, TASK);

    // Now that it passes, there is nothing to apply.
    const again = await skip(session);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'TASK_ALREADY_PASSED');
  });

  it('refuses a task the lab does not have, a session that is not the caller’s, and an ended session', async () => {
    scenario();
    const session = await ready();
    const other = await ready();

    const unknown = await skip(session, 'no-such-task');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'TASK_NOT_FOUND');
    assert.match(unknown.json().error.message, /no task called "no-such-task"/);

    // Another session's token, no token, or a staff member's sign-in (a watcher): like an unknown session.
    const username = `watcher-${randomBytes(3).toString('hex')}`;
    await app.accounts.users.add({
      username,
      role: 'instructor',
      displayName: 'Ivo',
      password: 'a long enough password',
    });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      remoteAddress: '10.6.0.1',
      payload: { username, password: 'a long enough password' },
    });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    for (const res of [
      await skip(session, TASK, other.token),
      await post(`/api/sessions/${session.id}/tasks/${TASK}/solution`),
      await post(`/api/sessions/${session.id}/tasks/${TASK}/solution`, undefined, { cookie }),
    ]) {
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'SESSION_NOT_FOUND');
    }

    const stopped = await app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(stopped.statusCode, 204);
    const ended = await skip(session);
    assert.equal(ended.statusCode, 409);
    assert.equal(ended.json().error.code, 'SESSION_ENDED');
    assert.equal(
      (await store.events({ sessionId: session.id, types: ['solution-applied'] })).length,
      0,
    );
  });

  it('applies one solution at a time per session, and holds Check meanwhile', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    scenario(async () => {
      started();
      await held;
      return ok();
    });
    const session = await ready();
    const first = skip(session);
    await running;

    const second = await skip(session);
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().error.code, 'SOLUTION_RUNNING');
    const checking = await check(session);
    assert.equal(checking.statusCode, 409);
    assert.equal(checking.json().error.code, 'SOLUTION_RUNNING');
    assert.match(checking.json().error.message, /check again when it is done/);

    release();
    assert.equal((await first).statusCode, 200);
    assert.equal((await check(session)).statusCode, 200, 'Check works again once it is done');
  });

  it('says why when a solve step fails, with what it printed, and records nothing as shown', async () => {
    scenario(async () => failed('Error response from daemon: No such image: drydock/lab-base'));
    const session = await ready();
    const res = await skip(session);
    assert.equal(res.statusCode, 409);
    const { code, message } = res.json().error;
    assert.equal(code, 'SOLUTION_FAILED');
    assert.match(message, /failed \(exit 1\)/);
    assert.match(message, /No such image: drydock\/lab-base/);
    assert.match(message, /nothing was marked as shown/);
    assert.deepEqual(
      (await store.events({ sessionId: session.id })).map((e) => e.type),
      ['created', 'ready'],
    );
    assert.deepEqual(await store.checks(session.id), []);
    assert.equal((await check(session)).json<Answer>().results[0]!.shown, undefined);
  });

  it('says why when the task still fails after its solution ran (the sandbox is past repair)', async () => {
    scenario();
    provider.onExec = async (cmd) => {
      const script = scriptOf(cmd);
      if (script?.[0] === 'solve.sh') return ok();
      return script?.[0] === 'web-runs.sh' ? failed('web was removed with its volume') : undefined;
    };
    const session = await ready();
    const res = await skip(session);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'SOLUTION_FAILED');
    assert.match(res.json().error.message, /still fails[\s\S]*web was removed with its volume/);
    assert.deepEqual(await store.checks(session.id), []);
  });
});

/**
 * A class's progress as its instructor's dashboard gets it, against real
 * sandboxes: two learners join, one starts the lab and presses Check on the
 * broken scenario, fixes it and checks again; the dashboard's WebSocket shows
 * each verdict (with the failing message) after the Check, the roster by
 * task and each learner's presence, and where the class is stuck. Another
 * instructor, an assistant nobody granted the class and a stranger are refused
 * the feed and the picture (test/unit/class-staff-api.test.ts has the grants).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOSE_NOT_ALLOWED, CLOSE_SIGN_IN_REQUIRED } from '../../protocol/close-codes.ts';
import type { ClassLiveMessage, ClassProgress } from '../../protocol/class-progress.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { signedInStaff } from '../support/staff.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';

describe('a class’s live dashboard', () => {
  let platform: TestPlatform;
  let instructor: string;
  let otherInstructor: string;
  let assistant: string;
  let classId: string;
  let feed: TerminalClient;
  const learners = [`dash-ada-${process.pid}-aaaaaa`, `dash-bob-${process.pid}-bbbbbb`];
  let session: { id: string; token: string };
  let learnerTerminal: TerminalClient;
  const opened: TerminalClient[] = [];

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${platform.url}/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: platform.url, ...headers },
      body: JSON.stringify(body),
    });
  const live = (cookie?: string, id = classId) => {
    const client = new TerminalClient(
      `${platform.url.replace(/^http/, 'ws')}/api/classes/${id}/live`,
      { origin: platform.url, ...(cookie ? { cookie } : {}) },
    );
    opened.push(client);
    return client;
  };
  const pictures = () =>
    feed.control
      .filter((m): m is ClassLiveMessage & { type: string } => m.type === 'progress')
      .map((m) => m.progress);
  /** The first picture after `since` (a count of pictures) that satisfies `test`. */
  const picture = async (
    since: number,
    test: (p: ClassProgress) => boolean,
    timeoutMs = 10_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pictures().slice(since).find(test);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no such picture; the last: ${JSON.stringify(pictures().at(-1))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const closed = async (client: TerminalClient) => {
    const deadline = Date.now() + 10_000;
    while (client.closeCode === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    return client.closeCode;
  };
  const check = async () => {
    const res = await fetch(`${platform.url}/api/sessions/${session.id}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    assert.equal(res.status, 200);
  };

  before(async () => {
    platform = await startPlatform({}, { listen: true });
    instructor = await signedInStaff(platform, 'instructor', 'Ivo');
    otherInstructor = await signedInStaff(platform, 'instructor', 'Olga');
    assistant = await signedInStaff(platform, 'assistant', 'Asa');
    const made = await openClass(platform, instructor, [LAB], 'Volumes, Tuesday');
    classId = made.id;
    for (const [i, learner] of learners.entries())
      await joinClass(platform, made.joinCode, learner, i === 0 ? 'Ada <i>Lovelace</i>' : 'Bob');
  });
  after(async () => {
    for (const client of opened) client.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('sends the roster at once: every member, every task not started', async () => {
    feed = live(instructor);
    const first = await picture(0, () => true);
    assert.equal(first.name, 'Volumes, Tuesday');
    assert.deepEqual(
      first.learners.map((l) => [l.displayName, l.presence]),
      [
        ['Ada <i>Lovelace</i>', 'not-started'],
        ['Bob', 'not-started'],
      ],
    );
    const tasks = first.labs[0]!.tasks.map((t) => t.id);
    assert.ok(tasks.length >= 2);
    assert.deepEqual(
      first.learners[0]!.labs[LAB]!.map((c) => c.state),
      tasks.map(() => 'not-started'),
    );
    assert.equal(first.stuck, undefined);
  });

  it('shows a failing Check, with its message, and where the class is stuck', async (t) => {
    const res = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEARNER_HEADER]: learners[0]! },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(res.status, 201);
    session = (await res.json()) as typeof session;
    learnerTerminal = TerminalClient.open(platform.url, session.id, session.token);
    opened.push(learnerTerminal);
    await learnerTerminal.waitForControl('ready', 120_000);
    const seen = pictures().length;
    await check();
    const checked = Date.now();
    const after = await picture(seen, (p) =>
      p.learners[0]!.labs[LAB]!.some((c) => c.state === 'failing'),
    );
    // How soon is bench:class's to measure; this only says it.
    t.diagnostic(`Check answered → dashboard picture: ${Date.now() - checked} ms`);
    const ada = after.learners[0]!;
    assert.equal(ada.presence, 'connected');
    assert.equal(ada.sessionId, session.id);
    assert.equal(ada.currentLab, LAB);
    assert.ok(ada.currentTask, 'a current task');
    assert.ok(ada.failedChecks >= 1);
    const failing = ada.labs[LAB]!.find((c) => c.state === 'failing')!;
    assert.ok(failing.lastMessage && failing.lastMessage.length > 10, 'the failing message');
    assert.equal(failing.attempts, 1);
    assert.equal(after.learners[1]!.presence, 'not-started');
    assert.equal(after.stuck?.lab, LAB);
    assert.equal(after.stuck?.learners, 1);
    assert.equal(after.stuck?.commonMessage?.learners, 1);
  });

  it('shows every task passed once the learner fixed the lab and checked again', async () => {
    const live = platform.sessions.find(session.id);
    assert.ok(live?.runner);
    const solved = await live.runner.run('solve.sh', 120_000);
    assert.equal(solved.exitCode, 0, solved.output);
    const seen = pictures().length;
    await check();
    const done = await picture(seen, (p) =>
      p.learners[0]!.labs[LAB]!.every((c) => c.state === 'passed'),
    );
    const ada = done.learners[0]!;
    assert.equal(ada.currentTask, undefined, 'nothing left in the way');
    assert.ok(ada.labs[LAB]!.every((c) => c.firstPassedAt !== undefined));
    assert.equal(done.stuck, undefined);
  });

  it('sends the instructor’s broadcast to the learner’s terminals, now and to one that attaches later', async () => {
    const message = 'Pause for a moment: look at the projector <b>now</b>';
    const res = await post(
      `/classes/${classId}/broadcast`,
      { message: `  ${message} ` },
      {
        cookie: instructor,
      },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { delivered: 1 });
    const told = async (client: TerminalClient) => {
      await client.waitForControl('broadcast', 10_000);
      const got = client.control.find((m) => m.type === 'broadcast')!;
      assert.equal(got.from, 'Ivo');
      assert.equal(got.message, message, 'trimmed, and otherwise as typed');
    };
    await told(learnerTerminal);
    const later = TerminalClient.open(platform.url, session.id, session.token);
    opened.push(later);
    await told(later);
    later.close();
    const events = await platform.app.store.events({ sessionId: session.id, types: ['broadcast'] });
    assert.deepEqual(
      events.map((e) => e.data),
      [{ from: 'Ivo', message }],
    );
  });

  it('refuses a broadcast that is empty, too long or has line breaks (400), and one from anyone but the class’s instructor', async () => {
    const send = (message: string, cookie?: string) =>
      post(`/classes/${classId}/broadcast`, { message }, cookie ? { cookie } : {});
    for (const bad of ['   ', 'x'.repeat(281), 'two\nlines']) {
      const res = await send(bad, instructor);
      assert.equal(res.status, 400, bad.slice(0, 20));
      assert.equal(((await res.json()) as { error: { field?: string } }).error.field, 'message');
    }
    assert.equal((await send('hello', otherInstructor)).status, 404);
    assert.equal((await send('hello', assistant)).status, 404);
    assert.equal((await send('hello')).status, 401);
  });

  it('exports the results as CSV: a row per learner and task, with what happened', async () => {
    const res = await fetch(`${platform.url}/api/classes/${classId}/results.csv`, {
      headers: { cookie: instructor },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="class-c_/);
    const lines = (await res.text()).trimEnd().split('\n');
    assert.equal(
      lines[0],
      'learner,lab,task,status,first_passed_at,attempts,time_spent_seconds,last_message,solution_shown_at',
    );
    const tasks = platform.app.labs.lab(LAB)!.manifest.tasks.map((t) => t.id);
    assert.equal(lines.length, 1 + 2 * tasks.length, 'two learners, every task');
    for (const task of tasks) {
      const ada = lines.find((l) => l.startsWith(`Ada <i>Lovelace</i>,${LAB},${task},`));
      assert.match(ada ?? '', /,passed,\d{4}-\d\d-\d\dT[^,]+Z,\d+,\d+,/, `Ada, ${task}`);
      const bob = lines.find((l) => l.startsWith(`Bob,${LAB},${task},`));
      assert.equal(bob, `Bob,${LAB},${task},not-started,,0,,,`);
    }
    const url = `${platform.url}/api/classes/${classId}/results.csv`;
    assert.equal((await fetch(url, { headers: { cookie: otherInstructor } })).status, 404);
    assert.equal((await fetch(url, { headers: { cookie: assistant } })).status, 404);
  });

  it('answers the same picture over HTTP, never from a cache', async () => {
    const res = await fetch(`${platform.url}/api/classes/${classId}/progress`, {
      headers: { cookie: instructor },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const progress = (await res.json()) as ClassProgress;
    assert.deepEqual(
      progress.learners.map((l) => l.displayName),
      ['Ada <i>Lovelace</i>', 'Bob'],
    );
  });

  it('refuses the feed to a stranger (4401), another instructor and an assistant (4402)', async () => {
    assert.equal(await closed(live()), CLOSE_SIGN_IN_REQUIRED);
    for (const cookie of [otherInstructor, assistant]) {
      const refused = live(cookie);
      assert.equal(await closed(refused), CLOSE_NOT_ALLOWED);
      assert.equal(refused.control.length, 0, 'no picture was sent');
    }
    assert.equal(await closed(live(instructor, 'c_nosuchclass0')), CLOSE_NOT_ALLOWED);
  });

  it('refuses the picture to another instructor and an assistant not granted the class (404)', async () => {
    const url = `${platform.url}/api/classes/${classId}/progress`;
    assert.equal((await fetch(url, { headers: { cookie: otherInstructor } })).status, 404);
    assert.equal((await fetch(url, { headers: { cookie: assistant } })).status, 404);
    assert.equal((await fetch(url)).status, 401);
  });

  it('extends, and then resets, one learner’s sandbox from the dashboard; the learner is told why', async () => {
    const [ada, bob] = pictures()[0]!.learners;
    const act = (memberId: string, action: string, cookie = instructor) =>
      post(`/classes/${classId}/members/${memberId}/${action}`, {}, { cookie });
    const before = platform.sessions.find(session.id)!.expiresAt.getTime();
    const extended = await act(ada!.memberId, 'extend');
    assert.deepEqual(await extended.json(), { sessions: 1 });
    assert.ok(platform.sessions.find(session.id)!.expiresAt.getTime() > before, 'more time');
    assert.deepEqual(await (await act(bob!.memberId, 'extend')).json(), { sessions: 0 });

    assert.equal((await act(ada!.memberId, 'reset', otherInstructor)).status, 404);
    assert.equal((await act(ada!.memberId, 'reset', assistant)).status, 404);
    assert.equal((await act(ada!.memberId, 'explode')).status, 400);
    assert.equal((await act('m_nosuchmember', 'reset')).status, 404);
    assert.ok(platform.sessions.find(session.id)?.live, 'no refusal touched the sandbox');

    const seen = pictures().length;
    const reset = await act(ada!.memberId, 'reset');
    assert.deepEqual(await reset.json(), { sessions: 1 });
    await learnerTerminal.waitForControl('ended', 10_000);
    const ended = learnerTerminal.control.find((m) => m.type === 'ended')!;
    assert.equal(ended.reason, 'reset');
    assert.match(String(ended.message), /reset this lab/);
    await picture(seen, (p) => p.learners[0]!.presence === 'gone');
  });

  it('deletes one learner’s records at their request: membership, sessions, checks and events', async () => {
    const [ada] = pictures()[0]!.learners;
    const url = `${platform.url}/api/classes/${classId}/members/${ada!.memberId}`;
    const del = (cookie?: string) =>
      fetch(url, {
        method: 'DELETE',
        headers: { origin: platform.url, ...(cookie ? { cookie } : {}) },
      });
    assert.equal((await del(otherInstructor)).status, 404);
    assert.equal((await del(assistant)).status, 404);
    assert.equal((await del()).status, 401);
    assert.ok(await platform.app.store.session(session.id), 'no refusal deleted anything');

    const res = await del(instructor);
    assert.equal(res.status, 200);
    const { sessionsDeleted } = (await res.json()) as { sessionsDeleted: number };
    assert.ok(sessionsDeleted >= 1);
    assert.equal(await platform.app.store.session(session.id), undefined);
    assert.deepEqual(await platform.app.store.events({ sessionId: session.id }), []);
    const progress = (await (
      await fetch(`${platform.url}/api/classes/${classId}/progress`, {
        headers: { cookie: instructor },
      })
    ).json()) as ClassProgress;
    assert.deepEqual(
      progress.learners.map((l) => l.displayName),
      ['Bob'],
    );
    assert.equal((await del(instructor)).status, 404, 'gone already');
  });
});

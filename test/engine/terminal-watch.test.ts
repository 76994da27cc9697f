/**
 * Watching a learner's terminal, read-only, against a real sandbox: the watcher
 * sees the learner's screen, cannot type into it or resize it, the learner is
 * told who watches, and the session's events keep who did and for how long.
 * Who may: an admin, and the instructor of a class the learner is in; each
 * refusal closes the socket with its code before anything is shown. A watcher
 * types only after the learner accepts a take-over, and only until the learner
 * takes control back, the watcher gives it back or leaves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLOSE_NOT_ALLOWED,
  CLOSE_SIGN_IN_REQUIRED,
  CLOSE_TOO_MANY_TERMINALS,
  CLOSE_UNKNOWN_SESSION,
} from '../../protocol/close-codes.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { signedInStaff } from '../support/staff.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:[^\n]*[#$] $/m;

describe('watching a learner’s terminal', () => {
  let platform: TestPlatform;
  let session: { id: string; token: string };
  let learner: TerminalClient;
  let admin: string;
  /** The instructor of the learner's class, another instructor, an assistant: sign-in cookies. */
  let instructor: string;
  let otherInstructor: string;
  let assistant: string;
  const opened: TerminalClient[] = [];

  const watch = (sessionId: string, cookie?: string, query = '') => {
    const client = new TerminalClient(
      `${platform.url.replace(/^http/, 'ws')}/api/sessions/${sessionId}/watch${query}`,
      { origin: platform.url, ...(cookie ? { cookie } : {}) },
    );
    opened.push(client);
    return client;
  };
  const closed = async (client: TerminalClient) => {
    const deadline = Date.now() + 10_000;
    while (client.closeCode === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    return client.closeCode;
  };
  /** Asks the learner's shell for its screen size until it says `rows cols`. */
  const learnerSize = async (expected: string) => {
    for (let attempt = 0; attempt < 20 && !learner.text.includes(`\n${expected}\n`); attempt++) {
      learner.type('stty size\r');
      await new Promise((r) => setTimeout(r, 300));
    }
    await learner.waitForOutput(new RegExp(`\\n${expected}\\n`), 1000);
  };

  /** Waits for a `takeover` message matching `wanted` after the first `from` messages. */
  const takeoverSaid = async (
    client: TerminalClient,
    wanted: Record<string, unknown>,
    from = 0,
  ) => {
    const matches = () =>
      client.control
        .filter((m) => m.type === 'takeover')
        .slice(from)
        .some((m) => Object.entries(wanted).every(([key, value]) => m[key] === value));
    await client.waitFor(matches, `takeover ${JSON.stringify(wanted)}`, 10_000);
  };
  const takeovers = (client: TerminalClient) =>
    client.control.filter((m) => m.type === 'takeover').length;
  const send = (client: TerminalClient, message: object) => client.ws.send(JSON.stringify(message));
  /** Whether a file exists in the learner's sandbox, asked through the learner's own shell. */
  const exists = async (path: string) => {
    const marker = `probe-${Math.random().toString(36).slice(2, 8)}`;
    learner.type(`test -e ${path} && echo "${marker}-yes" || echo "${marker}-no"\r`);
    await learner.waitForOutput(new RegExp(`\\n${marker}-(yes|no)\\n`));
    return new RegExp(`\\n${marker}-yes\\n`).test(learner.text);
  };

  before(async () => {
    platform = await startPlatform({}, { listen: true });
    admin = await signedInStaff(platform, 'admin', 'Ana Ruiz');
    instructor = await signedInStaff(platform, 'instructor', 'Ivo Instructor');
    otherInstructor = await signedInStaff(platform, 'instructor', 'Olga Other');
    assistant = await signedInStaff(platform, 'assistant', 'Asa Assistant');

    // The learner is in Ivo's class, which has the lab.
    const learnerId = `watch-learner-${process.pid}-abcdef`;
    const { joinCode } = await openClass(platform, instructor, [LAB], 'Watched class');
    await joinClass(platform, joinCode, learnerId, 'Lea Learner');

    const res = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEARNER_HEADER]: learnerId },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(res.status, 201);
    session = (await res.json()) as typeof session;
    learner = TerminalClient.open(platform.url, session.id, session.token);
    opened.push(learner);
    await learner.waitForControl('ready', 120_000);
    await learner.waitForOutput(PROMPT);
    learner.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    await learnerSize('30 100');
    learner.type('echo "before-watch-$((40+2))"\r');
    await learner.waitForOutput(/\nbefore-watch-42\n/);
  });
  after(async () => {
    for (const client of opened) client.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('shows the watcher the learner’s screen at the learner’s size, then what the shell writes', async () => {
    const watcher = watch(session.id, admin, '?cols=60&rows=10');
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(/before-watch-42/);
    assert.deepEqual(
      watcher.control.find((m) => m.type === 'pane-size'),
      { type: 'pane-size', cols: 100, rows: 30 },
      'the watcher is told the learner’s size, not given its own',
    );
    // Before the first byte: the restored screen, drawn at another size, landed on the wrong lines.
    assert.equal(watcher.textAt.get('pane-size'), '', 'the size came before the screen');
    learner.type('echo "while-watched-$((40+2))"\r');
    await watcher.waitForOutput(/\nwhile-watched-42\n/);
    watcher.close();
  });

  it('tells the learner who watches, and when they stop', async () => {
    const before = learner.control.filter((m) => m.type === 'watched').length;
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    const deadline = Date.now() + 10_000;
    const watchedMessages = () => learner.control.filter((m) => m.type === 'watched').slice(before);
    while (
      !watchedMessages().some((m) => (m.by as string[]).includes('Ana Ruiz')) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(watchedMessages().some((m) => (m.by as string[]).includes('Ana Ruiz')));
    watcher.close();
    while (Date.now() < deadline && (watchedMessages().at(-1)?.by as string[]).length !== 0)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(watchedMessages().at(-1), { type: 'watched', by: [] });
  });

  it('keeps the watcher’s keys out of the shell and its size off the learner’s screen', async () => {
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(PROMPT);
    watcher.type('touch /tmp/typed-by-watcher\r');
    watcher.ws.send(JSON.stringify({ type: 'resize', cols: 40, rows: 12 }));
    await new Promise((r) => setTimeout(r, 1500));
    learner.type(
      'test -e /tmp/typed-by-watcher && echo "watcher-typed" || echo "watcher-kept-out"\r',
    );
    await learner.waitForOutput(/\nwatcher-kept-out\n/);
    await learnerSize('30 100');
    assert.doesNotMatch(learner.text, /typed-by-watcher\r?\n.*touch/);
    watcher.close();
  });

  it('follows the learner’s resize on the watcher’s side', async () => {
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    learner.ws.send(JSON.stringify({ type: 'resize', cols: 90, rows: 28 }));
    const deadline = Date.now() + 10_000;
    const sized = () =>
      watcher.control.some((m) => m.type === 'pane-size' && m.cols === 90 && m.rows === 28);
    while (!sized() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(sized(), `pane sizes told: ${JSON.stringify(watcher.control)}`);
    watcher.close();
  });

  it('keeps who watched, and for how long, in the session’s events', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const events = await platform.app.store.events({ sessionId: session.id });
    const started = events.filter((e) => e.type === 'watch-started');
    const ended = events.filter((e) => e.type === 'watch-ended');
    assert.equal(started.length, 4);
    assert.equal(ended.length, 4);
    assert.ok(started.every((e) => e.data.by === 'Ana Ruiz'));
    assert.deepEqual(
      ended.map((e) => e.data.watcher),
      started.map((e) => e.data.watcher),
      'each watch ended',
    );
    assert.ok(ended.every((e) => typeof e.data.seconds === 'number' && e.data.seconds >= 0));
  });

  it('refuses a socket without a staff sign-in (4401)', async () => {
    const watcher = watch(session.id);
    assert.equal(await closed(watcher), CLOSE_SIGN_IN_REQUIRED);
    assert.equal(watcher.received, 0, 'nothing of the screen was sent');
  });

  it('lets the instructor of the learner’s class watch', async () => {
    const watcher = watch(session.id, instructor);
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(/before-watch-42/);
    watcher.close();
    await closed(watcher);
  });

  it('refuses an instructor whose classes the learner is not in, and an assistant (4402)', async () => {
    for (const cookie of [otherInstructor, assistant]) {
      const watcher = watch(session.id, cookie);
      assert.equal(await closed(watcher), CLOSE_NOT_ALLOWED);
      assert.equal(watcher.received, 0, 'nothing of the screen was sent');
    }
  });

  it('refuses an id no live session has: 4404 to an admin, 4402 to an instructor (ids tell them nothing)', async () => {
    assert.equal(await closed(watch('s_nosuchsession0', admin)), CLOSE_UNKNOWN_SESSION);
    assert.equal(await closed(watch('s_nosuchsession0', instructor)), CLOSE_NOT_ALLOWED);
  });

  it('lets three people watch at once and refuses a fourth (4429), not counting them as the learner’s terminals', async () => {
    const three = [watch(session.id, admin), watch(session.id, admin), watch(session.id, admin)];
    for (const watcher of three) await watcher.waitForControl('ready', 30_000);
    assert.equal(await closed(watch(session.id, admin)), CLOSE_TOO_MANY_TERMINALS);
    // The learner may still open terminals of their own up to their limit.
    const own = TerminalClient.open(platform.url, session.id, session.token);
    opened.push(own);
    await own.waitForControl('ready', 30_000);
    for (const watcher of three) watcher.close();
    await learner.waitFor(
      () => platform.app.sessions.find(session.id)?.watchers.size === 0,
      'the three watchers gone',
      10_000,
    );
  });
  it('lets a watcher type only after the learner accepts, until the learner takes control back', async () => {
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(PROMPT);
    watcher.type('touch /tmp/typed-before-consent\r');
    const [learnerFrom, watcherFrom] = [takeovers(learner), takeovers(watcher)];
    send(watcher, { type: 'takeover-request' });
    await takeoverSaid(learner, { state: 'asked', by: 'Ana Ruiz', yours: false }, learnerFrom);
    await takeoverSaid(watcher, { state: 'asked', yours: true }, watcherFrom);
    assert.equal(await exists('/tmp/typed-before-consent'), false, 'asking is not typing');

    send(learner, { type: 'takeover-answer', accept: true });
    await takeoverSaid(watcher, { state: 'granted', yours: true }, watcherFrom);
    watcher.type('echo "typed-by-watcher-$((40+2))"\r');
    await learner.waitForOutput(/\ntyped-by-watcher-42\n/);

    send(learner, { type: 'takeover-stop' });
    await takeoverSaid(watcher, { state: 'none', outcome: 'stopped' }, watcherFrom);
    watcher.type('touch /tmp/typed-after-stop\r');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await exists('/tmp/typed-after-stop'), false, 'control went back to the learner');
    watcher.close();
  });

  it('leaves a watcher read-only when the learner declines', async () => {
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    const [from, learnerFrom] = [takeovers(watcher), takeovers(learner)];
    send(watcher, { type: 'takeover-request' });
    await takeoverSaid(learner, { state: 'asked', by: 'Ana Ruiz' }, learnerFrom);
    send(learner, { type: 'takeover-answer', accept: false });
    await takeoverSaid(watcher, { state: 'none', outcome: 'declined', yours: true }, from);
    watcher.type('touch /tmp/typed-after-decline\r');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await exists('/tmp/typed-after-decline'), false);
    watcher.close();
  });

  it('grants nothing on the watcher’s word: only the learner’s socket answers', async () => {
    const watcher = watch(session.id, admin);
    await watcher.waitForControl('ready', 30_000);
    const from = takeovers(watcher);
    send(watcher, { type: 'takeover-request' });
    await takeoverSaid(watcher, { state: 'asked', yours: true }, from);
    // A watcher answering its own request, or stopping the learner's control, changes nothing.
    send(watcher, { type: 'takeover-answer', accept: true });
    send(watcher, { type: 'takeover-stop' });
    watcher.type('touch /tmp/typed-self-granted\r');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await exists('/tmp/typed-self-granted'), false);
    assert.ok(
      !watcher.control.some((m) => m.type === 'takeover' && m.state === 'granted'),
      'never granted',
    );
    send(watcher, { type: 'takeover-release' });
    await takeoverSaid(watcher, { state: 'none', outcome: 'released' }, from);
    watcher.close();
  });

  it('gives one watcher control at a time, and ends it when they stop watching', async () => {
    const first = watch(session.id, admin);
    const second = watch(session.id, instructor);
    await first.waitForControl('ready', 30_000);
    await second.waitForControl('ready', 30_000);
    const learnerFrom = takeovers(learner);
    const [firstFrom, secondFrom] = [takeovers(first), takeovers(second)];
    send(first, { type: 'takeover-request' });
    await takeoverSaid(learner, { state: 'asked', by: 'Ana Ruiz' }, learnerFrom);
    send(learner, { type: 'takeover-answer', accept: true });
    await takeoverSaid(first, { state: 'granted', yours: true }, firstFrom);
    await takeoverSaid(second, { state: 'granted', by: 'Ana Ruiz', yours: false }, secondFrom);

    // The second asks too: refused while the first types, so nothing changes and its keys stay out.
    send(second, { type: 'takeover-request' });
    second.type('touch /tmp/typed-by-second\r');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await exists('/tmp/typed-by-second'), false);
    assert.ok(!second.control.some((m) => m.type === 'takeover' && m.yours === true));

    first.close();
    await takeoverSaid(learner, { state: 'none', outcome: 'left', by: 'Ana Ruiz' }, learnerFrom);
    second.close();
  });

  it('keeps each take-over, its outcome and how long they typed in the session’s events', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const events = await platform.app.store.events({ sessionId: session.id });
    const outcomes = events.filter((e) => e.type === 'takeover-ended').map((e) => e.data.outcome);
    assert.deepEqual(outcomes, ['stopped', 'declined', 'released', 'left']);
    const granted = events.filter((e) => e.type === 'takeover-granted');
    assert.equal(granted.length, 2);
    assert.ok(granted.every((e) => e.data.by === 'Ana Ruiz'));
    const typed = events.find((e) => e.type === 'takeover-ended' && e.data.outcome === 'stopped');
    assert.ok((typed?.data.seconds as number) > 0, 'the seconds they typed');
  });
});

/**
 * Watching a learner's terminal as a class's helper, against one real sandbox:
 * an assistant the instructor granted the class without watching, or nobody
 * granted it, is refused (4402) before anything of the screen is sent; granted
 * watching, they see the learner's screen, and the learner is told who
 * watches; the grant taken back, the next watch is refused again. Another
 * instructor granted the class with watching may watch as well. Who may watch
 * otherwise (admins, the class's instructor) is terminal-watch.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOSE_NOT_ALLOWED } from '../../protocol/close-codes.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff, signedInStaffUser } from '../support/staff.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:[^\n]*[#$] $/m;

describe('watching a learner’s terminal as a class’s helper', () => {
  let platform: TestPlatform;
  let session: { id: string; token: string };
  let learner: TerminalClient;
  let classId: string;
  let instructor: string;
  /** Granted the class, and then watching. */
  let asa: { username: string; cookie: string };
  /** Another instructor, granted the class with watching. */
  let ines: { username: string; cookie: string };
  /** An assistant nobody granted the class. */
  let nobody: string;
  const opened: TerminalClient[] = [];

  const watch = (cookie: string) => {
    const client = new TerminalClient(
      `${platform.url.replace(/^http/, 'ws')}/api/sessions/${session.id}/watch`,
      { origin: platform.url, cookie },
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
  const grant = async (username: string, mayWatch: boolean) => {
    const res = await fetch(`${platform.url}/api/classes/${classId}/staff`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: platform.url, cookie: instructor },
      body: JSON.stringify({ username, mayWatch }),
    });
    assert.ok(res.status === 200 || res.status === 201, await res.text());
  };

  before(async () => {
    platform = await startPlatform({}, { listen: true });
    instructor = await signedInStaff(platform, 'instructor', 'Ivo Instructor');
    asa = await signedInStaffUser(platform, 'assistant', 'Asa Assistant');
    ines = await signedInStaffUser(platform, 'instructor', 'Ines Instructor');
    nobody = await signedInStaff(platform, 'assistant', 'Nils Nobody');

    const learnerId = `staff-watch-learner-${process.pid}-abc`;
    const created = await openClass(platform, instructor, [LAB], 'Class with helpers');
    classId = created.id;
    await joinClass(platform, created.joinCode, learnerId, 'Lea Learner');
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
    learner.type('echo "helper-sees-$((40+2))"\r');
    await learner.waitForOutput(/\nhelper-sees-42\n/);
  });
  after(async () => {
    for (const client of opened) client.close();
    const left = await platform?.app.store.classes.classById(classId);
    if (left) await platform.app.store.classes.endClass(left.id, Date.now());
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('refuses an assistant nobody granted the class, and one granted it without watching (4402)', async () => {
    await grant(asa.username, false);
    for (const cookie of [nobody, asa.cookie]) {
      const watcher = watch(cookie);
      assert.equal(await closed(watcher), CLOSE_NOT_ALLOWED);
      assert.equal(watcher.received, 0, 'nothing of the screen was sent');
    }
  });

  it('lets an assistant granted watching see the learner’s screen, and tells the learner who watches', async () => {
    await grant(asa.username, true);
    const watcher = watch(asa.cookie);
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(/helper-sees-42/);
    await learner.waitFor(
      () =>
        learner.control.some(
          (m) => m.type === 'watched' && (m.by as string[]).includes('Asa Assistant'),
        ),
      'the learner to be told Asa watches',
      10_000,
    );
    watcher.close();
    await closed(watcher);
  });

  it('refuses the next watch once the grant is taken back (4402)', async () => {
    await grant(asa.username, false);
    const watcher = watch(asa.cookie);
    assert.equal(await closed(watcher), CLOSE_NOT_ALLOWED);
    assert.equal(watcher.received, 0);
  });

  it('lets another instructor granted the class with watching watch', async () => {
    await grant(ines.username, true);
    const watcher = watch(ines.cookie);
    await watcher.waitForControl('ready', 30_000);
    await watcher.waitForOutput(/helper-sees-42/);
    watcher.close();
    await closed(watcher);
  });
});

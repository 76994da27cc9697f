/**
 * A learner's second terminal against the real engine: its own shell (tmux
 * session) beside the first, what runs in it listed, both screens back after
 * the sockets drop and after the lab server restarts, and closing it ends its
 * shell and closes its sockets with 4411. One sandbox for the whole file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOSE_TERMINAL_CLOSED } from '../../protocol/close-codes.ts';
import { api } from '../support/api.ts';
import {
  assertNothingLeft,
  newOwner,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:.*[#$] $/m;

interface Created {
  id: string;
  token: string;
}

/** Terminal `n` of the session, once its shell's screen shows `screen`. */
async function attach(base: string, session: Created, n: number, screen: RegExp = PROMPT) {
  const url = `${base.replace(/^http/, 'ws')}/api/sessions/${session.id}/terminal?token=${encodeURIComponent(session.token)}${n === 1 ? '' : `&terminal=${n}`}`;
  const terminal = new TerminalClient(url);
  await terminal.waitForControl('ready', 120_000);
  await terminal.waitForOutput(screen, 30_000);
  return terminal;
}

describe('a session’s second terminal, in a real sandbox', () => {
  const owner = newOwner('terminals');
  let platform: TestPlatform;
  let session: Created;
  const open: TerminalClient[] = [];
  const one = `one-${Date.now()}`;
  const two = `two-${Date.now()}`;

  before(async () => {
    // `keep`: the restart below adopts the sandbox, as a real restart does.
    platform = await startPlatform(
      { DRYDOCK_OWNER: owner, DRYDOCK_SHUTDOWN: 'keep', DRYDOCK_TERMINALS_PER_SESSION: '2' },
      { listen: true },
    );
    const created = await api(platform.url, '', 'POST', '/sessions', { lab: LAB });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    session = created.body as Created;
  });
  after(async () => {
    for (const t of open) t.close();
    await platform.close();
    await assertNothingLeft(owner);
  });

  it('opens a second shell beside the first: each runs its own commands, and the list says what runs', async () => {
    const first = await attach(platform.url, session, 1);
    const opened = await api(
      platform.url,
      session.token,
      'POST',
      `/sessions/${session.id}/terminals`,
    );
    assert.deepEqual([opened.status, opened.body], [201, { number: 2 }]);
    const second = await attach(platform.url, session, 2);
    open.push(first, second);

    first.type(`echo "$((0+1))-${one}"\r`);
    second.type(`echo "$((1+1))-${two}"; sleep 600\r`);
    await first.waitForOutput(new RegExp(`1-${one}`));
    await second.waitForOutput(new RegExp(`2-${two}`));
    assert.doesNotMatch(first.text, new RegExp(two), 'the first terminal does not show the second');
    assert.doesNotMatch(
      second.text,
      new RegExp(one),
      'the second terminal does not show the first',
    );

    const refused = await api(
      platform.url,
      session.token,
      'POST',
      `/sessions/${session.id}/terminals`,
    );
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /already has 2 terminals open/);

    const list = await api(platform.url, session.token, 'GET', `/sessions/${session.id}/terminals`);
    assert.deepEqual(list.body, {
      terminals: [
        { number: 1, attached: 1 },
        { number: 2, attached: 1, running: 'sleep' },
      ],
      limit: 2,
    });
  });

  it('gives both screens back after the sockets drop and after the lab server restarts', async () => {
    for (const t of open.splice(0)) t.ws.terminate();
    const again = await attach(platform.url, session, 2, new RegExp(`2-${two}`));
    again.close();

    await platform.close(); // DRYDOCK_SHUTDOWN=keep: the sandbox runs on
    platform = await startPlatform({ DRYDOCK_OWNER: owner }, { listen: true });
    const first = await attach(platform.url, session, 1, new RegExp(`1-${one}`));
    const second = await attach(platform.url, session, 2, new RegExp(`2-${two}`));
    open.push(first, second);
    assert.doesNotMatch(second.text, new RegExp(one));
    const list = await api(platform.url, session.token, 'GET', `/sessions/${session.id}/terminals`);
    assert.deepEqual(
      list.body.terminals.map((t: { number: number; running?: string }) => [t.number, t.running]),
      [
        [1, undefined],
        [2, 'sleep'],
      ],
      'the adopted session finds its second terminal, still running its program',
    );
  });

  it('closes the second terminal: its socket closes with 4411 and its shell is gone', async () => {
    const [first, second] = open;
    const closed = await api(
      platform.url,
      session.token,
      'DELETE',
      `/sessions/${session.id}/terminals/2`,
    );
    assert.equal(closed.status, 204, JSON.stringify(closed.body));
    await second!.waitForClose();
    assert.equal(second!.closeCode, CLOSE_TERMINAL_CLOSED);

    first!.type(`tmux list-sessions -F 'left: #{session_name}'\r`);
    await first!.waitForOutput(/left: learner\n/);
    assert.doesNotMatch(first!.text, /left: learner-2/, 'the second shell ended');
    const late = new TerminalClient(
      `${platform.url.replace(/^http/, 'ws')}/api/sessions/${session.id}/terminal?token=${encodeURIComponent(session.token)}&terminal=2`,
    );
    await late.waitForClose();
    assert.equal(
      late.closeCode,
      CLOSE_TERMINAL_CLOSED,
      'a socket cannot bring a closed terminal back',
    );
  });
});

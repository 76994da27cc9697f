/**
 * A session's whole life against the real engine, through the HTTP API and the
 * terminal WebSocket, as the browser drives it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';

describe('a session from Start to Stop', () => {
  let platform: TestPlatform;
  let session: { id: string; token: string; tasks: { id: string }[] };
  let terminal: TerminalClient;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${platform.url}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${session?.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  };

  before(async () => {
    platform = await startPlatform({}, { listen: true });
  });
  after(async () => {
    terminal?.close();
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  it('creates a session and shows a shell prompt in the sandbox', async (t) => {
    const started = Date.now();
    const created = await api('POST', '/sessions', { lab: LAB });
    assert.equal(created.status, 201);
    session = created.body;
    assert.equal(created.body.state, 'starting');
    assert.match(session.token, /^[\w-]{32}$/);

    terminal = TerminalClient.open(platform.url, session.id, session.token);
    await terminal.waitForControl('ready', 120_000);
    await terminal.waitForOutput(/sandbox:.*[#$] $/m);
    t.diagnostic(`Start to prompt: ${Date.now() - started} ms`);
    assert.ok(
      terminal.control.some((m) => m.type === 'status'),
      'progress messages were sent while starting',
    );
  });

  it('runs commands typed into the terminal, inside a sandbox with its own engine and no network', async () => {
    // The learner's namespace has a default route (slirp4netns), but it leads to a
    // sandbox with no interface but loopback: a connection to the outside fails at once.
    terminal.type(
      'echo "answer=$((6*7))"; docker info --format "inner-engine={{.ServerVersion}}"; timeout 5 bash -c "exec 3<>/dev/tcp/1.1.1.1/53" 2>/dev/null && echo reached-out || echo no-way-out\r',
    );
    await terminal.waitForOutput(/\nanswer=42\n/);
    await terminal.waitForOutput(/\ninner-engine=\d+\./);
    await terminal.waitForOutput(/\nno-way-out\n/);
  });

  it('carries UTF-8 both ways', async () => {
    terminal.type('echo "grüße ✓ 🐳"\r');
    await terminal.waitForOutput(/\ngrüße ✓ 🐳\n/);
  });

  it('follows resizes and runs full-screen programs', async () => {
    terminal.ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
    // The resize reaches the pane asynchronously (a tmux command): ask until it shows.
    for (let attempt = 0; attempt < 20 && !/\n30 100\n/.test(terminal.text); attempt++) {
      terminal.type('stty size\r');
      await new Promise((r) => setTimeout(r, 300));
    }
    await terminal.waitForOutput(/\n30 100\n/, 1000);
    terminal.type('seq 1 500 | less\r');
    // less shows a page that fits 30 rows, on the alternate screen: the client gets
    // less's own bytes (the server is a tmux control-mode client), smcup included.
    await terminal.waitForOutput(/\n29\n:$/);
    terminal.type('q');
    const marker = `after-less-${Date.now()}`;
    terminal.type(`echo ${marker}\r`);
    await terminal.waitForOutput(new RegExp(`\\n${marker}\\n`));
  });

  it('reports every task as failing on the broken scenario, with a reason', async () => {
    const res = await api('POST', `/sessions/${session.id}/check`);
    assert.equal(res.status, 200);
    assert.equal(res.body.results.length, session.tasks.length);
    for (const result of res.body.results) {
      assert.equal(result.passed, false, `${result.task} must fail before the fix`);
      assert.ok(
        result.output.length > 10,
        `${result.task} says what is wrong: ${JSON.stringify(result.output)}`,
      );
    }
  });

  it('pauses a flood of output until the client catches up, and Ctrl-C stops it', async () => {
    terminal.autoAck = false;
    const before = terminal.received;
    terminal.type('yes drydock\r');
    await terminal.waitFor(() => terminal.received - before > 200 * 1024, 'the flood to start');
    await new Promise((r) => setTimeout(r, 1500));
    const unacked = terminal.received - before;
    assert.ok(
      unacked < 512 * 1024,
      `the server kept sending without acknowledgements: ${unacked} bytes`,
    );

    terminal.type('\x03');
    terminal.autoAck = true;
    terminal.ws.send(JSON.stringify({ type: 'ack', bytes: unacked }));
    const marker = `done-${Date.now()}`;
    terminal.type(`echo ${marker}\r`);
    await terminal.waitForOutput(new RegExp(`\\n${marker}\\n`), 20_000);
  });

  it('passes every task after the lab’s solve script', async () => {
    const live = platform.sessions.get(session.id, session.token);
    const solved = await live.runner!.run(live.lab.manifest.solve, 180_000);
    assert.equal(solved.exitCode, 0, `solve script failed:\n${solved.output}`);
    const res = await api('POST', `/sessions/${session.id}/check`);
    for (const result of res.body.results)
      assert.equal(result.passed, true, `${result.task}: ${result.output}`);
  });

  it('refuses the session to anyone without its token', async () => {
    const res = await fetch(`${platform.url}/api/sessions/${session.id}`, {
      headers: { authorization: 'Bearer not-the-token' },
    });
    assert.equal(res.status, 404);
    const intruder = TerminalClient.open(platform.url, session.id, 'x'.repeat(32));
    await intruder.waitForClose();
    assert.equal(intruder.closeCode, 4404);
    const foreign = TerminalClient.open(platform.url, session.id, session.token, {
      origin: 'http://evil.example',
    });
    await foreign.waitForClose();
    assert.equal(foreign.closeCode, 4403);
  });

  it('removes the sandbox and everything in it on Stop', async () => {
    const res = await api('DELETE', `/sessions/${session.id}`);
    assert.equal(res.status, 204);
    await terminal.waitForControl('ended');
    assert.equal(terminal.control.find((m) => m.type === 'ended')?.reason, 'stopped');
    await assertNothingLeft(platform.owner);
    const after = await api('GET', `/sessions/${session.id}`);
    assert.equal(after.body.state, 'ended');
  });
});

/**
 * What an operator's Prometheus sees after a learner's real session: the
 * server against the machine's engine, a real sandbox for a real lab, a
 * terminal, a check that fails (the scenario is still broken) and a Stop.
 * Also the readiness probe's 200, which only a server with an engine gives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sample } from '../support/metrics-text.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'container-exits-immediately';

describe('metrics after a real lab session', () => {
  let platform: TestPlatform;
  let terminal: TerminalClient | undefined;

  before(async () => {
    platform = await startPlatform({}, { listen: true });
  });
  after(async () => {
    terminal?.close();
    if (!platform) return;
    await platform.close();
    await assertNothingLeft(platform.owner);
  });

  const scrape = async () => {
    const res = await fetch(`${platform.url}/metrics`);
    assert.equal(res.status, 200);
    return res.text();
  };

  it('is ready once labs are', async () => {
    const res = await fetch(`${platform.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ready: true, state: 'ready' });
  });

  it('counts the session, its start time, the terminal, the checks by task and result, and the Stop', async (t) => {
    const created = await fetch(`${platform.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lab: LAB }),
    });
    assert.equal(created.status, 201);
    const { id, token, tasks } = (await created.json()) as {
      id: string;
      token: string;
      tasks: { id: string }[];
    };
    const auth = { authorization: `Bearer ${token}` };
    const starting = await scrape();
    assert.equal(sample(starting, 'drydock_sessions_started_total', { lab: LAB }), 1);
    assert.equal(sample(starting, 'drydock_sandboxes_live'), 1);

    terminal = TerminalClient.open(platform.url, id, token);
    await terminal.waitForControl('ready', 180_000);
    // The terminal hears "ready" from the session at once; metrics count the ready
    // event once the store has recorded it, a moment later on a busy PostgreSQL.
    let ready = await scrape();
    for (let tries = 0; tries < 100; tries++) {
      if (sample(ready, 'drydock_session_start_seconds_count', { lab: LAB }) !== undefined) break;
      await new Promise((r) => setTimeout(r, 100));
      ready = await scrape();
    }
    assert.equal(sample(ready, 'drydock_sandboxes_starting'), 0);
    assert.equal(sample(ready, 'drydock_terminals_open'), 1);
    assert.equal(sample(ready, 'drydock_session_start_seconds_count', { lab: LAB }), 1);
    const seconds = sample(ready, 'drydock_session_start_seconds_sum', { lab: LAB })!;
    assert.ok(seconds > 0, 'Start-to-ready time is recorded');
    t.diagnostic(`Start to ready, as the histogram recorded it: ${seconds.toFixed(1)} s`);
    const phases = ['sandbox', 'engine', 'files', 'images', 'setup', 'shell'].map((phase) => {
      const labels = { lab: LAB, phase };
      assert.equal(sample(ready, 'drydock_session_start_phase_seconds_count', labels), 1, phase);
      return [phase, sample(ready, 'drydock_session_start_phase_seconds_sum', labels)!] as const;
    });
    // The lab's files are copied while the engine starts: those two overlap.
    const of = (name: string) => phases.find(([phase]) => phase === name)![1];
    const phaseTotal =
      of('sandbox') +
      Math.max(of('engine'), of('files')) +
      of('images') +
      of('setup') +
      of('shell');
    assert.ok(
      phaseTotal > 0 && phaseTotal <= seconds + 0.01,
      `the phases (${phaseTotal.toFixed(2)} s, engine and files overlapping) fit in Start to ready (${seconds.toFixed(2)} s)`,
    );
    t.diagnostic(`phases: ${phases.map(([p, s]) => `${p} ${s.toFixed(2)} s`).join(', ')}`);

    const check = await fetch(`${platform.url}/api/sessions/${id}/check`, {
      method: 'POST',
      headers: auth,
    });
    assert.equal(check.status, 200);
    const checked = await scrape();
    for (const task of tasks)
      assert.equal(
        sample(checked, 'drydock_checks_total', { lab: LAB, task: task.id, result: 'failed' }),
        1,
        `a failed check of ${task.id}`,
      );

    terminal.close();
    await terminal.waitForClose();
    const stopped = await fetch(`${platform.url}/api/sessions/${id}`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(stopped.status, 204);
    const ended = await scrape();
    assert.equal(sample(ended, 'drydock_sessions_ended_total', { lab: LAB, reason: 'stopped' }), 1);
    assert.equal(sample(ended, 'drydock_sandboxes_live'), 0);
    assert.equal(sample(ended, 'drydock_terminals_open'), 0);
    t.diagnostic(
      ended
        .split('\n')
        .filter((line) => line.startsWith('drydock_') && !line.includes('_bucket'))
        .join('\n'),
    );
  });
});

/**
 * The shared check helpers (labs/_lib/check.sh) against real containers in a real
 * sandbox: what they report is what a learner reads after Check.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import { asLearner, readySessions } from '../support/learner.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const HELPERS = readFileSync(`${ROOT}labs/_lib/check.sh`, 'utf8');

/** Runs a script with the check helpers loaded, in the sandbox, and returns its output. */
async function withHelpers(session: Session, script: string): Promise<string> {
  const result = await asLearner(session, `${HELPERS}\nset -u\n${script}`, { timeoutMs: 60_000 });
  assert.equal(result.exitCode, 0, result.output);
  return result.output.trim();
}

describe('check helpers', () => {
  let platform: TestPlatform;
  let session: Session;
  before(async () => {
    platform = await startPlatform();
    [session] = await readySessions(platform, 'container-exits-immediately', 1);
  });
  after(async () => {
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('describe_state calls a crash-looping container restarting, also in the moment it is up between two crashes', async () => {
    // The e2e test once saw "running, but does not answer" for a crash loop: the check
    // had looked in the half second the container was up again.
    const output = await withHelpers(
      session,
      `
      docker run -d --name loop --restart always drydock/lab-base sh -c 'sleep 2; exit 3' >/dev/null
      up_after_crash() { [ "$(docker inspect -f '{{.State.Status}} {{gt .RestartCount 0}}' loop)" = "running true" ]; }
      wait_until 30 up_after_crash || { echo "never saw it up again after a crash"; exit 1; }
      describe_state loop
      docker rm -f loop >/dev/null`,
    );
    assert.match(
      output,
      /^restarting over and over \(restarted \d+ times, up again for only \d+ s\)$/,
    );
  });

  it('describe_state calls a steady container running and a finished one stopped, with its exit code', async () => {
    const output = await withHelpers(
      session,
      `
      docker run -d --name steady drydock/lab-base sleep 600 >/dev/null
      docker run --name finished drydock/lab-base sh -c 'exit 3' || true
      describe_state steady; describe_state finished; describe_state no-such-container
      docker rm -f steady finished >/dev/null`,
    );
    assert.deepEqual(output.split('\n'), ['running', 'stopped (exited with code 3)', 'gone']);
  });
});

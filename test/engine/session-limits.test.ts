/** Abandoned and overlong sessions are removed, and a crashed server's leftovers are cleaned on the next start. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  assertNothingLeft,
  leftovers,
  newOwner,
  ROOT,
  startPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

async function until(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('session limits and cleanup', () => {
  it('removes a sandbox nobody uses after the idle timeout, and says why', async () => {
    const platform = await startPlatform({ DRYDOCK_IDLE_TIMEOUT: '3s' });
    try {
      const session = platform.sessions.create(platform.app.labs.lab(LAB)!);
      await session.provisioned;
      assert.equal(session.state, 'ready');
      await until(() => session.state === 'ended', 'the idle timeout', 15_000);
      assert.equal(session.endReason, 'idle');
      assert.match(session.message, /nobody used it/);
      await session.removed;
      await assertNothingLeft(platform.owner);
    } finally {
      await platform.close();
    }
  });

  it('removes a sandbox at the hard time limit even while it is in use', async () => {
    const platform = await startPlatform({ DRYDOCK_SESSION_LIMIT: '8s' });
    try {
      const session = platform.sessions.create(platform.app.labs.lab(LAB)!);
      const keepBusy = setInterval(() => session.touch(), 500);
      try {
        await until(() => session.state === 'ended', 'the time limit', 30_000);
      } finally {
        clearInterval(keepBusy);
      }
      assert.equal(session.endReason, 'expired');
      await session.removed;
      await session.provisioned;
      await assertNothingLeft(platform.owner);
    } finally {
      await platform.close();
    }
  });

  it('keeps a session ended that ran out of time while its lab was prepared for its first learner', async () => {
    // A state directory of its own: the lab's engine state is made for this session.
    const stateDir = mkdtempSync(join(tmpdir(), 'drydock-state-'));
    const platform = await startPlatform({
      DRYDOCK_SESSION_LIMIT: '1s',
      DRYDOCK_STATE_DIR: stateDir,
    });
    try {
      const session = platform.sessions.create(platform.app.labs.lab(LAB)!);
      await until(() => session.state === 'ended', 'the time limit', 30_000);
      await session.removed;
      // The preparation ends later and says so; that brought the session back,
      // set its sandbox up and left it running for nobody.
      await session.provisioned;
      assert.equal(session.state, 'ended');
      assert.equal(session.endReason, 'expired');
      assert.equal(session.sandbox, undefined);
      await assertNothingLeft(platform.owner);
    } finally {
      await platform.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('cleans up after a server that was killed, on its next start', async () => {
    const owner = newOwner('crash');
    const child = spawn(process.execPath, ['lab-server/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, DRYDOCK_OWNER: owner, DRYDOCK_PORT: '0', DRYDOCK_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    try {
      await until(() => /"labs ready/.test(log), 'the server to be ready', 120_000);
      const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      const res = await fetch(`http://127.0.0.1:${port}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lab: LAB }),
      });
      assert.equal(res.status, 201);
      await until(
        async () => (await leftovers(owner)).some((item) => item.startsWith('container ')),
        'the sandbox to exist',
        30_000,
      );
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    assert.ok(
      (await leftovers(owner)).some((item) => item.startsWith('container ')),
      'a killed server leaves its sandbox behind',
    );

    const restarted = await startPlatform({ DRYDOCK_OWNER: owner });
    await restarted.close();
    await assertNothingLeft(owner);
  });
});

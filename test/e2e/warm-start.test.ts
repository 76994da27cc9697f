/**
 * A learner pressing Start on a lab with a warm pool, in a real browser against
 * the real server and engine: the prompt comes from a sandbox set up before they
 * came, the broken scenario is there to Check, and a restarted server takes
 * both the learner's session and the refilled warm sandbox back.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  checkTask,
  launchChromium,
  SCREENSHOTS,
  typeCommand,
  waitForTerminal,
} from '../support/browser.ts';
import {
  assertNothingLeft,
  newOwner,
  ROOT,
  startPlatform,
  TEST_STORE_URL,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

async function warmPoolFull(platform: TestPlatform, size: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  while ((platform.app.pool.status().find((p) => p.lab === LAB)?.warm ?? 0) < size) {
    if (Date.now() > deadline) throw new Error(`the warm pool of ${LAB} never reached ${size}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a learner starting a warm lab', () => {
  const owner = newOwner('warm');
  // On SQLite a store of its own (kept across the restart below): a server with warm
  // pools warms and trims for every class in its database, and the lane's shared
  // store holds other suites' classes of this lab. PostgreSQL's lane has no such suites.
  const store = TEST_STORE_URL.startsWith('sqlite:')
    ? join(tmpdir(), `drydock-${owner}.sqlite`)
    : undefined;
  const env = {
    DRYDOCK_OWNER: owner,
    DRYDOCK_WARM_POOLS: `${LAB}=1`,
    DRYDOCK_WARM_MAX: '1',
    DRYDOCK_SHUTDOWN: 'keep',
    ...(store ? { DRYDOCK_DATABASE_URL: `sqlite:${store}` } : {}),
  };
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  let warmBefore: string;

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform(env, { listen: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    // The last server removes everything on its way out.
    if (platform) {
      await platform.close();
      const cleaner = await startPlatform({ ...env, DRYDOCK_SHUTDOWN: 'remove' });
      await cleaner.close();
    }
    await assertNothingLeft(owner);
    if (store)
      for (const file of [store, `${store}-wal`, `${store}-shm`]) rmSync(file, { force: true });
  });

  it('gets a prompt from a sandbox set up before Start was pressed', async (t) => {
    await warmPoolFull(platform, 1);
    warmBefore = platform.app.pool.containers()[0]!;
    await page.goto(`${platform.url}/labs/${LAB}/`);
    // The lab page's script has run (its Start listens), even on a machine under load.
    await page.waitForFunction(() => typeof window.__drydockTerminalText === 'function');
    const pressed = performance.now();
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, /sandbox:~\/lab#/, 30_000);
    t.diagnostic(
      `Start pressed → prompt in Chromium: ${(performance.now() - pressed).toFixed(0)} ms`,
    );
    const [session] = platform.sessions.list();
    assert.ok(session, 'one session');
    assert.equal(session.sandbox?.id, warmBefore, 'the learner got the warm sandbox');
    assert.deepEqual(Object.keys(session.phases), ['claim']);
    await page.screenshot({ path: `${SCREENSHOTS}/lab-warm-started-1440.png` });
  });

  it('finds the broken scenario there: Check says what is wrong', async () => {
    const output = await checkTask(page, 'service-runs-new-config', 'failed');
    assert.match(output, /restarting|exited/i);
  });

  it('keeps the learner’s shell and the refilled warm sandbox across a server restart', async () => {
    await warmPoolFull(platform, 1);
    const refilled = platform.app.pool.containers()[0]!;
    assert.notEqual(refilled, warmBefore, 'the pool refilled with a new sandbox');
    const mark = `warm-${Date.now()}`;
    await typeCommand(page, `echo "$((6*7))-${mark}"`);
    await waitForTerminal(page, new RegExp(`42-${mark}`));

    const port = Number(new URL(platform.url).port);
    await platform.close();
    platform = await startPlatform(env, { listen: true, port });
    assert.deepEqual(
      platform.app.pool.containers(),
      [refilled],
      'the restarted server took the warm sandbox back instead of making another',
    );
    // The page kept its session (same address): a reload finds the same shell.
    await page.reload();
    await waitForTerminal(page, new RegExp(`42-${mark}`), 30_000);
    assert.equal(platform.sessions.list()[0]?.sandbox?.id, warmBefore);
  });
});

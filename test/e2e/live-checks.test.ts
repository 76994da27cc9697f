/**
 * Live checks as a learner meets them in Chromium, against the real server and
 * a real sandbox (docs/live-checks.md): a command that changes the engine but
 * fixes nothing shows no failure; the fix, typed in the terminal, flips every
 * task to Passed without Check, in a region screen readers announce; breaking
 * a passed task says it no longer passes; a reload shows what passed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SignalMap } from '../../lab-server/signals.ts';
import { settled, violations } from '../support/accessibility.ts';
import {
  launchChromium,
  SCREENSHOTS,
  typeCommand,
  waitForTerminal,
  startLab,
} from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'dangling-images-cleanup';
const PROMPT = /sandbox:~\/lab#/;
const TASKS = ['old-builds-removed', 'releases-and-smoke-tests-kept', 'recent-and-tally-kept'];
const FIX = 'docker image prune --force --filter label=project=beacon --filter until=24h';

describe('live checks on the lab page', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  const runs: SignalMap['live-check'][0][] = [];
  let checksPressed = 0;

  const stateOf = (task: string) => page.getByTestId(`task-${task}`).getAttribute('data-state');
  const waitForState = (task: string, state: string, timeout = 60_000) =>
    page.waitForFunction(
      ([id, wanted]) =>
        document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') === wanted,
      [task, state] as const,
      { timeout, polling: 100 },
    );
  const waitForRuns = async (count: number) => {
    const deadline = Date.now() + 60_000;
    while (runs.length < count) {
      assert.ok(Date.now() < deadline, `no live run came (${runs.length} of ${count})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await platform.app.liveChecks.settled();
  };

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    // The whole minute: this test's runs come back to back on a busy CI machine.
    platform = await startPlatform({ DRYDOCK_LIVE_CHECK_BUDGET: '100%' }, { listen: true });
    platform.app.signals.on('live-check', (run) => runs.push(run));
    platform.app.signals.on('session', (event) => {
      if (event.type === 'checked' && !event.live) checksPressed++;
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    await startLab(page, platform.url, LAB, PROMPT);
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('shows no failure when a command changes the engine but fixes nothing', async () => {
    await typeCommand(
      page,
      'docker tag drydock/lab-base:latest scratch:1 && echo tagged-$((40+2))',
    );
    await waitForTerminal(page, /\ntagged-42\n/);
    await waitForRuns(1);
    for (const task of TASKS) {
      assert.equal(await stateOf(task), 'pending');
      assert.equal(
        await page.getByTestId(`task-${task}`).getByTestId('task-output').innerText(),
        '',
      );
    }
  });

  it('flips every task to Passed once the fix is typed, without Check', async () => {
    await typeCommand(page, FIX);
    for (const task of TASKS) await waitForState(task, 'passed', 30_000);
    assert.equal(checksPressed, 0, 'nobody pressed Check');
    const output = page.getByTestId(`task-${TASKS[0]}`).getByTestId('task-output');
    assert.equal(await output.getAttribute('aria-live'), 'polite', 'announced, politely');
    assert.match(await output.innerText(), /Passed: “.+”, checked as you worked\./);
    assert.equal(
      (await page.getByTestId(`task-${TASKS[0]}`).locator('[data-pill]').textContent())?.trim(),
      'Passed',
    );
    await page
      .getByTestId(`task-${TASKS[0]}`)
      .screenshot({ path: `${SCREENSHOTS}/live-checks-flipped-task-1440.png` });
    await settled(page);
    assert.deepEqual(await violations(page), []);
  });

  it('says a passed task no longer passes when the learner breaks it', async () => {
    // The release image, which the retention rules keep, removed by hand.
    await typeCommand(page, 'docker rmi beacon:1.3');
    await waitForState('releases-and-smoke-tests-kept', 'failed', 30_000);
    assert.match(
      await page
        .getByTestId('task-releases-and-smoke-tests-kept')
        .getByTestId('task-output')
        .innerText(),
      /No longer passes: “.+”\. The check says:[\s\S]*beacon:1\.3/,
    );
    assert.equal(await stateOf('old-builds-removed'), 'passed', 'the others stay passed');
  });

  it('shows what passed again after a reload', async () => {
    await page.reload();
    await waitForTerminal(page, PROMPT, 60_000);
    await waitForState('old-builds-removed', 'passed', 15_000);
    await waitForState('recent-and-tally-kept', 'passed', 15_000);
    // A failure is news only for a task shown as passed: after a reload, it shows nothing.
    assert.equal(await stateOf('releases-and-smoke-tests-kept'), 'pending');
  });
});

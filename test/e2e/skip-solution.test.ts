/**
 * Skipping a task with its solution, as a learner does it in Chromium against
 * the real server and engine (dangling-images-cleanup, one sandbox): reveal the
 * second task's solution, ask to apply it, read the confirmation (a modal dialog
 * that Escape cancels), confirm; the task shows "Solution applied", not a pass,
 * with the first task (which did not pass yet) solved and shown too, and the
 * third task, which the applied prune completes, passed. Nothing was typed into
 * the terminal; a later Check keeps the tasks shown; the browser's progress
 * record says the lab is done with two solutions shown.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Progress } from '../../protocol/learner-progress.ts';
import { launchChromium, SCREENSHOTS, terminalText, waitForTerminal } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'dangling-images-cleanup';
const [FIRST, SECOND, THIRD] = [
  'old-builds-removed',
  'releases-and-smoke-tests-kept',
  'recent-and-tally-kept',
];

describe('a learner skips a task with its solution', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;

  const stateOf = (task: string) => page.getByTestId(`task-${task}`).getAttribute('data-state');
  const waitForState = (task: string, state: string, timeout = 180_000) =>
    page.waitForFunction(
      ([id, wanted]) =>
        document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') === wanted,
      [task, state] as const,
      { timeout },
    );

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/index.html`), 'the site must be built first');
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('offers the solution’s Apply only once a sandbox runs', async () => {
    await page.goto(`${platform.url}/labs/${LAB}/`);
    const task = page.getByTestId(`task-${SECOND}`);
    await task.getByRole('button', { name: 'Show solution' }).click();
    const apply = task.getByRole('button', { name: 'Apply this solution' });
    assert.equal(await apply.isDisabled(), true);
    assert.match(await task.locator('[data-skip-note]').innerText(), /Start the sandbox/);
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, /sandbox:~\/lab#/, 180_000);
    await page.waitForFunction(
      (id) =>
        !document.querySelector<HTMLButtonElement>(`[data-testid="task-${id}"] [data-skip-apply]`)
          ?.disabled,
      SECOND,
    );
  });

  it('asks first, in a dialog that says what it does, and Escape applies nothing', async () => {
    const task = page.getByTestId(`task-${SECOND}`);
    await task.getByRole('button', { name: 'Apply this solution' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply the solution?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /counts as solution shown, not as passed/i);
    assert.match(await dialog.innerText(), /changes what is in the sandbox/);
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent?.trim()),
      'Cancel',
      'focus starts on the harmless choice',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await stateOf(SECOND), 'pending');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent?.trim()),
      'Apply this solution',
      'focus goes back to the button',
    );
  });

  it('applies it on confirming: the task shows Solution applied, with the earlier one solved too', async () => {
    const task = page.getByTestId(`task-${SECOND}`);
    await task.getByRole('button', { name: 'Apply this solution' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply the solution?' });
    await dialog.waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/skip-solution-confirm-1440.png` });
    await dialog.getByRole('button', { name: 'Apply the solution' }).click();
    await waitForState(SECOND, 'shown');
    assert.equal((await task.locator('[data-pill]').textContent())?.trim(), 'Solution applied');
    assert.match(await task.getByTestId('task-output').innerText(), /counts as shown, not passed/);
    assert.equal(await stateOf(FIRST), 'shown', 'the task before it, not passed yet, was solved');
    assert.equal(await stateOf(THIRD), 'passed', 'the prune completed the next task: a pass');
    assert.equal(await task.getByRole('button', { name: 'Apply this solution' }).isHidden(), true);
    assert.match(
      await page.getByTestId('lab-status').innerText(),
      /Solution applied: 2 tasks shown, 1 passed/,
    );
    // The solve ran beside the learner's shell: nothing was typed into it.
    assert.doesNotMatch(await terminalText(page), /prune/);
    await task.locator('[data-pill]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/skip-solution-applied-1440.png` });
  });

  it('keeps the tasks shown at a later Check, and remembers the lab as done with solutions shown', async () => {
    await page.getByTestId('lab-check').click();
    await page.waitForFunction(() =>
      /pass/.test(document.querySelector('[data-testid="lab-status"]')?.textContent ?? ''),
    );
    assert.deepEqual(
      [await stateOf(FIRST), await stateOf(SECOND), await stateOf(THIRD)],
      ['shown', 'shown', 'passed'],
    );
    const progress = await page.evaluate(
      () => JSON.parse(localStorage.getItem('drydock.progress') ?? '{}') as Progress,
    );
    const lab = progress.labs[LAB]!;
    assert.ok(lab.tasks[FIRST]!.shownAt && !lab.tasks[FIRST]!.passedAt);
    assert.ok(lab.tasks[SECOND]!.shownAt && !lab.tasks[SECOND]!.passedAt);
    assert.ok(lab.tasks[THIRD]!.passedAt && !lab.tasks[THIRD]!.shownAt);
    assert.ok(lab.finishedAt, 'every task passed or shown');
    await page.waitForFunction(
      (slug) =>
        document.querySelector(`[data-testid="progress-${slug}"]`)?.textContent ===
        'Done, 2 with the solution',
      LAB,
    );
  });
});

/**
 * The lab page for a keyboard, a screen reader and a phone, and the progress a
 * browser keeps without an account, in Chromium against the real server and
 * engine: Ctrl+M then Tab leaves the terminal, Ctrl+Enter checks, the screen-reader
 * switch sticks, a passed lab shows on the labs index and its lesson in a new
 * tab, moves to a fresh browser by export and import (a bad file is refused),
 * and on a phone the extra keys' Ctrl then c interrupts a running command. One
 * sandbox at a time: the laptop's, then the phone's.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { violations } from '../support/accessibility.ts';
import {
  launchChromium,
  SCREENSHOTS,
  terminalBuffer,
  typeCommand as run,
  waitForTerminal,
  startLab,
} from '../support/browser.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';

const LAB = 'named-volume-masks-image';
const TASKS = ['template-outside-mounts', 'service-runs-new-config', 'logbook-kept'];
const PROMPT = /sandbox:~\/lab#/;

/** The element that has the focus: its test id, or its tag and whether it is in the terminal. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return {
      testId: element?.getAttribute('data-testid') ?? '',
      tag: element?.tagName.toLowerCase() ?? '',
      inTerminal: Boolean(element?.closest('[data-testid="lab-terminal"]')),
    };
  });

const taskStates = (page: Page) =>
  page.evaluate(
    (ids) =>
      ids.map((id) =>
        document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state'),
      ),
    TASKS,
  );

async function stop(page: Page, platform: TestPlatform): Promise<void> {
  await page.getByTestId('lab-stop').click();
  await page.waitForFunction(() =>
    /stopped/i.test(document.querySelector('[data-testid="lab-status"]')?.textContent ?? ''),
  );
  const deadline = Date.now() + 15_000;
  while (platform.sessions.liveCount > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Light and dark, each from a fresh load: the theme follows the system's scheme when a page loads. */
async function screenshots(
  page: Page,
  width: number,
  name: string,
  ready: () => Promise<void>,
): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.reload();
    await ready();
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: null });
}

describe('the lab page by keyboard, with a screen reader, on a phone, and progress kept', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let laptop: BrowserContext;
  let page: Page;
  let exported = '';
  /** The fresh browser that imported the progress file. */
  let imported: Page;

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/index.html`), 'the site must be built first');
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    laptop = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    page = await laptop.newPage();
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('keeps Tab for the shell, and leaves the terminal on Ctrl+M then Tab or Shift+Tab', async () => {
    await startLab(page, platform.url, LAB, PROMPT);
    await page.waitForFunction(() =>
      document.activeElement?.closest('[data-testid="lab-terminal"]'),
    );

    // Tab completes in the shell; Ctrl+M alone neither leaves nor reaches the shell.
    await page.keyboard.type('ech');
    await page.keyboard.press('Tab');
    await waitForTerminal(page, /lab# echo\s*$/);
    await page.keyboard.press('Control+U');
    await page.keyboard.press('Control+M');
    assert.equal((await focused(page)).inTerminal, true, 'Ctrl+M alone does not leave');
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page), {
      testId: 'lab-screen-reader',
      tag: 'button',
      inTerminal: false,
    });

    await page.getByTestId('lab-terminal').click();
    await page.keyboard.press('Control+M');
    await page.keyboard.press('Shift+Tab');
    const before = await focused(page);
    assert.equal(before.inTerminal, false, 'Shift+Tab after Ctrl+M leaves backwards');
    assert.equal(before.tag, 'button');

    // Back in the terminal, Tab completes again, and Ctrl+M sent nothing: one prompt, no blank line.
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.type('ech');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).inTerminal, true);
    await waitForTerminal(page, /lab# echo\s*$/);
    await page.keyboard.press('Control+U');
    const prompts = (await terminalBuffer(page)).lines.filter((line) => PROMPT.test(line));
    assert.equal(prompts.length, 1, `prompts on screen: ${JSON.stringify(prompts)}`);
  });

  it('switches the terminal to screen-reader mode, and remembers it after a reload', async () => {
    const toggle = page.getByTestId('lab-screen-reader');
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    await toggle.press('Space');
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    const tree = page.locator('[data-testid="lab-terminal"] .xterm-accessibility-tree');
    await tree.waitFor({ state: 'attached' });
    await page.reload();
    await waitForTerminal(page, PROMPT, 30_000);
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await tree.waitFor({ state: 'attached' });
    // The terminal's input says how to leave it.
    const described = await page
      .locator('[data-testid="lab-terminal"] textarea')
      .getAttribute('aria-describedby');
    assert.match(
      await page.locator(`#${described}`).innerText(),
      /Ctrl\s*\+\s*M\s*then\s*Tab leaves the terminal/,
    );
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  });

  it('checks with Ctrl+Enter from the terminal, as the Check button says', async () => {
    const check = page.getByTestId('lab-check');
    assert.equal(await check.getAttribute('aria-keyshortcuts'), 'Control+Enter Meta+Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="lab-check"]')?.hasAttribute('disabled') === false,
    );
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(
      (ids) =>
        ids.every(
          (id) =>
            document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') !==
            'pending',
        ),
      TASKS,
      { timeout: 60_000 },
    );
    assert.equal((await taskStates(page))[1], 'failed', 'the broken service fails its check');
  });

  it('shows the lab as done on the labs index and its lesson, in a new tab', async () => {
    await run(
      page,
      "sed -i 's|^COPY harborlog.conf.tmpl .*|COPY harborlog.conf.tmpl /opt/harborlog/harborlog.conf.tmpl|' Dockerfile",
    );
    await run(
      page,
      "sed -i 's|^TEMPLATE=.*|TEMPLATE=/opt/harborlog/harborlog.conf.tmpl|' entrypoint.sh",
    );
    await run(
      page,
      'docker compose up -d --build 2>&1 | tail -2 && sleep 2 && curl -s localhost:8080/cgi-bin/status | grep berths',
    );
    await waitForTerminal(page, /berths = 12/, 120_000);
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(
      (ids) =>
        ids.every(
          (id) =>
            document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') ===
            'passed',
        ),
      TASKS,
      { timeout: 60_000 },
    );

    // The lab page's own badge follows its checks.
    await page
      .getByTestId(`progress-${LAB}`)
      .filter({ hasText: /^Done$/ })
      .waitFor();

    const tab = await laptop.newPage();
    await tab.goto(`${platform.url}/labs/`);
    const badge = tab.getByTestId(`progress-${LAB}`);
    await badge.waitFor({ state: 'visible' });
    assert.equal(await badge.innerText(), 'Done');
    assert.equal(
      await tab.locator('[data-progress-lab]:visible').count(),
      1,
      'labs never tried show no badge',
    );
    await tab.goto(`${platform.url}/lessons/${LAB}/`);
    await tab.getByTestId('lesson-lab-card').getByTestId(`progress-${LAB}`).waitFor();
    assert.equal(await tab.getByTestId(`progress-${LAB}`).innerText(), 'Done');
    await tab.close();
  });

  it('finds no WCAG 2.1 AA violation on the live lab page with its new controls', async () => {
    assert.deepEqual(await violations(page), []);
    await screenshots(page, 1440, 'lab-keys', () => waitForTerminal(page, /berths = 12/, 30_000));
  });

  it('exports the progress to a file, and a fresh browser imports it', async () => {
    await stop(page, platform);
    await page.goto(`${platform.url}/labs/`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export to a file' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^drydock-progress-\d{4}-\d{2}-\d{2}\.json$/);
    exported = (await download.path())!;
    assert.match(await page.getByTestId('progress-message').innerText(), /1 lab/);

    const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const other = await fresh.newPage();
    await other.goto(`${platform.url}/labs/`);
    assert.equal(await other.getByTestId(`progress-${LAB}`).isVisible(), false);
    await other.locator('[data-progress-import]').setInputFiles(exported);
    const message = other.getByTestId('progress-message');
    await message.filter({ hasText: /^Imported your progress in 1 lab\.$/ }).waitFor();
    assert.equal(await other.getByTestId(`progress-${LAB}`).innerText(), 'Done');
    assert.deepEqual(await violations(other), []);
    await screenshots(other, 1440, 'labs-progress', async () => {
      await other.getByTestId(`progress-${LAB}`).scrollIntoViewIfNeeded();
      await other.getByTestId(`progress-${LAB}`).waitFor();
    });

    // A file that is not one: refused with the reason, and what was imported stays.
    await other.locator('[data-progress-import]').setInputFiles({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ labs: 'all of them' })),
    });
    await message.filter({ hasText: /^Nothing was imported/ }).waitFor();
    assert.match(
      await message.innerText(),
      /^Nothing was imported: the file is not a Drydock progress file\./,
    );
    assert.equal(await message.getAttribute('data-kind'), 'error');
    await other.reload();
    await other.getByTestId(`progress-${LAB}`).waitFor({ state: 'visible' });
    assert.equal(await other.getByTestId(`progress-${LAB}`).innerText(), 'Done');
    imported = other;
  });

  it("shows, in a class, only what the class's record has: not passes known from an imported file", async () => {
    const cookie = await signedInStaff(platform, 'instructor', 'Ines Instructor');
    const { joinCode } = await openClass(platform, cookie, [LAB]);
    const learnerOf = (tab: Page) =>
      tab.evaluate(() => localStorage.getItem('drydock.learner') ?? '');

    // The browser that passed the tasks itself: its checks are the class's record too.
    await joinClass(platform, joinCode, await learnerOf(page), 'Ada');
    await page.reload();
    await page.getByTestId(`progress-${LAB}`).waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId(`progress-${LAB}`).innerText(), 'Done');

    // The browser that only imported them: the class has seen none of it.
    await imported.evaluate(() => localStorage.setItem('drydock.learner', 'imported-learner-0001'));
    await joinClass(platform, joinCode, 'imported-learner-0001', 'Bea');
    await imported.reload();
    const badge = imported.getByTestId(`progress-${LAB}`);
    await imported.waitForFunction(
      (slug) =>
        document.querySelector(`[data-progress-lab="${slug}"]`)?.getAttribute('data-progress') ===
        'none',
      LAB,
    );
    assert.equal(await badge.isVisible(), false);
    await imported.context().close();
  });

  it("interrupts a running command with the extra keys' Ctrl then c on a phone", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const mobile = await phone.newPage();
    try {
      await mobile.goto(`${platform.url}/labs/${LAB}/`);
      await mobile.getByTestId('lab-start').tap();
      await waitForTerminal(mobile, PROMPT, 120_000);
      await mobile.getByTestId('lab-terminal').tap();
      await mobile.keyboard.type('sleep 100');
      await mobile.keyboard.press('Enter');
      await waitForTerminal(mobile, /sleep 100\s*$/);

      const ctrl = mobile.getByTestId('extra-key-ctrl');
      await ctrl.waitFor({ state: 'visible' });
      await mobile.getByTestId('extra-keys').scrollIntoViewIfNeeded();
      await ctrl.tap();
      assert.equal(await ctrl.getAttribute('aria-pressed'), 'true');
      assert.equal(
        (await focused(mobile)).inTerminal,
        true,
        'the tap left the focus in the terminal',
      );
      await mobile.keyboard.type('c');
      // The prompt is back long before sleep's 100 s.
      await waitForTerminal(mobile, /sleep 100\s*\n\^C\s*\n.*sandbox:~\/lab# \s*$/, 15_000);
      assert.equal(await ctrl.getAttribute('aria-pressed'), 'false', 'Ctrl lets go after a key');

      assert.deepEqual(await violations(mobile), []);
      await screenshots(mobile, 390, 'lab-keys', async () => {
        await waitForTerminal(mobile, PROMPT, 30_000);
        await mobile.getByTestId('lab-terminal').tap();
        await ctrl.tap();
      });
      await stop(mobile, platform);
    } finally {
      await phone.close();
    }
  });
});

/**
 * A learner opens a second terminal in a tab beside the first, in Chromium:
 * each tab its own shell, the limit refused with the server's reason, the tabs
 * worked by keyboard, both back with their output after a reload, and a tab
 * closed (after the page asks, since a program runs in it). Screenshots at
 * 1440 and 390 px. One sandbox; the limit is 2 so that the refusal comes soon.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WCAG_TAGS } from '../support/accessibility.ts';
import { api } from '../support/api.ts';
import { launchChromium, SCREENSHOTS, startLab } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:~\/lab#/;

const tabText = (page: Page, n: number) =>
  page.evaluate((n) => window.__drydockTerminalTabText?.(n) ?? '', n);

async function waitForTab(page: Page, n: number, pattern: RegExp, timeout = 30_000) {
  try {
    await page.waitForFunction(
      ([n, source]) => new RegExp(source, 'm').test(window.__drydockTerminalTabText?.(n) ?? ''),
      [n, pattern.source] as const,
      { timeout, polling: 100 },
    );
  } catch (error) {
    const lines = (await tabText(page, n)).trimEnd().split('\n').slice(-15);
    throw new Error(
      `terminal ${n} never showed ${pattern}; its last lines: ${JSON.stringify(lines)}`,
      {
        cause: error,
      },
    );
  }
}

/** The number `echo <name>-$RANDOM` printed in terminal `n`. */
async function printed(page: Page, n: number, name: string): Promise<string> {
  const pattern = new RegExp(`^${name}-(\\d+)\\s*$`, 'm');
  await waitForTab(page, n, pattern);
  return pattern.exec(await tabText(page, n))![1]!;
}

describe('terminal tabs on the lab page', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let one = '';
  let two = '';

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({ DRYDOCK_TERMINALS_PER_SESSION: '2' }, { listen: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    await startLab(page, platform.url, LAB, PROMPT);
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('opens a second terminal in a tab, its own shell beside the first', async () => {
    const first = page.getByTestId('terminal-tab-1');
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.type('echo one-$RANDOM');
    await page.keyboard.press('Enter');
    one = await printed(page, 1, 'one');

    await page.getByTestId('terminal-tab-new').click();
    const second = page.getByTestId('terminal-tab-2');
    await second.waitFor();
    assert.equal(await second.getAttribute('aria-selected'), 'true');
    assert.equal(await first.getAttribute('aria-selected'), 'false');
    assert.ok(await page.getByTestId('lab-terminal-2').isVisible());
    assert.equal(await page.getByTestId('lab-terminal').isVisible(), false);
    await waitForTab(page, 2, PROMPT);
    // The new terminal has the focus: the learner types at once.
    await page.keyboard.type('echo two-$RANDOM');
    await page.keyboard.press('Enter');
    two = await printed(page, 2, 'two');
    assert.doesNotMatch(await tabText(page, 1), /two-/, 'terminal 1 does not show terminal 2');
    assert.doesNotMatch(await tabText(page, 2), /one-/, 'terminal 2 is another shell');
  });

  it('refuses a third terminal over the limit, saying why', async () => {
    await page.getByTestId('terminal-tab-new').click();
    const note = page.getByTestId('terminal-tabs-note');
    await note.waitFor({ state: 'visible' });
    assert.match(await note.innerText(), /already has 2 terminals open.*close one first/);
    assert.equal(await page.getByTestId('terminal-tab-3').count(), 0);
  });

  it('moves between tabs with the arrow keys (the ARIA tabs pattern), and fits a phone', async () => {
    await page.getByTestId('terminal-tab-2').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getByTestId('terminal-tab-1').getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'terminal-tab-1');
    assert.ok(await page.getByTestId('lab-terminal').isVisible());
    await page.keyboard.press('End');
    assert.equal(await page.getByTestId('terminal-tab-2').getAttribute('aria-selected'), 'true');
    assert.ok(await page.getByTestId('lab-terminal-2').isVisible());

    const axe = await new AxeBuilder({ page })
      .include('[data-testid="terminal-tabs"]')
      .withTags(WCAG_TAGS)
      .analyze();
    assert.deepEqual(
      axe.violations.map((v) => `${v.id}: ${v.help}`),
      [],
    );

    await page.screenshot({ path: `${SCREENSHOTS}/lab-terminal-tabs-1440.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SCREENSHOTS}/lab-terminal-tabs-1440-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('terminal-tabs').scrollIntoViewIfNeeded();
    const strip = await page.getByTestId('terminal-tab-new').boundingBox();
    assert.ok(strip && strip.x + strip.width <= 390, 'the + is on a phone’s screen');
    await page.screenshot({ path: `${SCREENSHOTS}/lab-terminal-tabs-390.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('brings both tabs back after a reload, each with its own output, the shown one still shown', async () => {
    await page.reload();
    await page.getByTestId('terminal-tab-2').waitFor({ timeout: 60_000 });
    await waitForTab(page, 1, new RegExp(`^one-${one}\\s*$`));
    await waitForTab(page, 2, new RegExp(`^two-${two}\\s*$`));
    assert.equal(await page.getByTestId('terminal-tab-2').getAttribute('aria-selected'), 'true');
    assert.ok(await page.getByTestId('lab-terminal-2').isVisible());
  });

  it('asks before closing a tab whose program runs, then ends its shell', async () => {
    await page.getByTestId('lab-terminal-2').click();
    await page.keyboard.type('sleep 600');
    await page.keyboard.press('Enter');
    // The page keeps its session's id and token in sessionStorage; the server's list is what it reads.
    const { id, token } = await page.evaluate(
      (slug) =>
        JSON.parse(sessionStorage.getItem(`drydock:session:${slug}`)!) as {
          id: string;
          token: string;
        },
      LAB,
    );
    const list = async () =>
      (await api(platform.url, token, 'GET', `/sessions/${id}/terminals`)).body as {
        terminals: { number: number; running?: string }[];
      };
    for (let i = 0; i < 50 && (await list()).terminals[1]?.running !== 'sleep'; i++)
      await new Promise((r) => setTimeout(r, 100));

    const asked = page.waitForEvent('dialog').then(async (dialog) => {
      const message = dialog.message();
      await dialog.accept();
      return message;
    });
    await page.getByTestId('terminal-tab-close-2').click();
    assert.match(await asked, /“sleep” is still running in Terminal 2/);
    await page.getByTestId('terminal-tab-2').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('terminal-tab-1').getAttribute('aria-selected'), 'true');
    assert.ok(await page.getByTestId('lab-terminal').isVisible());
    assert.deepEqual(
      (await list()).terminals.map((t) => t.number),
      [1],
    );
  });
});

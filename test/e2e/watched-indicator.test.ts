/**
 * A learner is never watched unseen: while a staff member watches their terminal
 * (read-only), the lab page says who, above the terminal, on a laptop and a
 * phone; the bar goes when they stop. The watcher is a WebSocket client signed
 * in as an admin, as the dashboard's watch view will be.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS, waitForTerminal } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';

describe('the lab page while someone watches the terminal', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  let cookie: string;
  let watcher: TerminalClient | undefined;

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    cookie = await signedInStaff(platform, 'admin', 'Ana <b>Ruiz</b>');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${platform.url}/labs/${LAB}/`);
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, /sandbox:~\/lab#/, 120_000);
  });
  after(async () => {
    watcher?.close();
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('says who is watching, as text, while they watch', async () => {
    const [session] = platform.sessions.list();
    assert.ok(session);
    const bar = page.getByTestId('lab-watched');
    assert.equal(await bar.isVisible(), false, 'nobody watches yet');
    watcher = new TerminalClient(
      `${platform.url.replace(/^http/, 'ws')}/api/sessions/${session.id}/watch`,
      { origin: platform.url, cookie },
    );
    await watcher.waitForControl('ready', 30_000);
    await bar.waitFor({ state: 'visible', timeout: 10_000 });
    // The account's display name is shown as typed, never as markup.
    assert.match(await bar.innerText(), /Ana <b>Ruiz<\/b> is watching your terminal/);
    assert.equal(await bar.locator('b').count(), 0);
    await page.screenshot({ path: `${SCREENSHOTS}/lab-watched-1440.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await bar.scrollIntoViewIfNeeded();
    assert.ok(await bar.isVisible(), 'on a phone too');
    await page.screenshot({ path: `${SCREENSHOTS}/lab-watched-390.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('takes the bar away when they stop watching', async () => {
    watcher!.close();
    await page.getByTestId('lab-watched').waitFor({ state: 'hidden', timeout: 10_000 });
  });
});

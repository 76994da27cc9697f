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
import { launchChromium, SCREENSHOTS, waitForTerminal, startLab } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';
import { joinClass, openClass } from '../support/classes.ts';
import { signedInStaff } from '../support/staff.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const LEARNER_ID = `watched-page-${process.pid}-abcdefgh`;

describe('the lab page while someone watches the terminal', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  let cookie: string;
  let watcher: TerminalClient | undefined;
  let classId: string;

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    // The learner is in Ana's class: she may watch them and write to the class.
    cookie = await signedInStaff(platform, 'instructor', 'Ana <b>Ruiz</b>');
    const made = await openClass(platform, cookie, [LAB], 'Watched class');
    classId = made.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript((id) => localStorage.setItem('drydock.learner', id), LEARNER_ID);
    await joinClass(platform, made.joinCode, LEARNER_ID, 'Lea');
    await startLab(page, platform.url, LAB);
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

  it('shows the instructor’s message to the class above the terminal, as text, until dismissed', async () => {
    const banner = page.getByTestId('lab-broadcast');
    assert.equal(await banner.isVisible(), false);
    const message = 'Stop here: we go through <script>alert(1)</script> volumes together';
    const res = await fetch(`${platform.url}/api/classes/${classId}/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: platform.url, cookie },
      body: JSON.stringify({ message }),
    });
    assert.deepEqual(await res.json(), { delivered: 1 });
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await banner.innerText();
    assert.match(text, /Message from Ana <b>Ruiz<\/b>/i);
    assert.ok(text.includes(message), 'the message as typed');
    assert.equal(
      await banner.locator('script, b').count(),
      0,
      'no markup from the message or the name',
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOTS}/lab-broadcast-1440.png` });
    await page.getByRole('button', { name: 'Dismiss the message' }).click();
    await banner.waitFor({ state: 'hidden' });
    // A reload reconnects: the message comes again, and stays dismissed only until the page forgets it.
    await page.reload();
    await waitForTerminal(page, /sandbox:~\/lab#/, 30_000);
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
  });
});

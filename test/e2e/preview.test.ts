/**
 * A learner previews a web server they started in the sandbox: Preview in the
 * terminal's toolbar offers the port it listens on, and a new tab shows the
 * page, on an origin of its own, whose scripts can read none of the lab page's
 * storage nor the platform's API. A port where nothing listens is said on the
 * lab page; another browser (another learner) given the preview's address is
 * refused with a page that says why.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  launchChromium,
  SCREENSHOTS,
  typeCommand,
  waitForTerminal,
  startLab,
} from '../support/browser.ts';
import { asLearner } from '../support/learner.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PORT = 8000;

/** The learner's page: a heading, and a script that tries to reach the platform's secrets. */
const appPage = (platform: string) => `<!doctype html>
<title>My app</title>
<h1 id="greeting">Hello from the sandbox</h1>
<pre id="probe">probing</pre>
<script>
  const found = { origin: location.origin, opener: window.opener === null ? 'none' : 'some' };
  found.localStorage = Object.keys(localStorage);
  found.sessionStorage = Object.keys(sessionStorage);
  found.cookie = document.cookie;
  fetch('${platform}/api/status', { credentials: 'include' })
    .then((r) => r.text())
    .then(() => 'read', () => 'blocked')
    .then((api) => {
      found.api = api;
      document.getElementById('probe').textContent = JSON.stringify(found);
    });
</script>
`;

describe('previewing a web server from the lab page', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let previewOrigin = '';

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    await startLab(page, platform.url, LAB);
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('opens the page of a server the learner started, in a new tab', async () => {
    const [session] = platform.sessions.list();
    assert.ok(session);
    const written = await asLearner(
      session,
      `mkdir -p /srv/www && cat > /srv/www/index.html <<'HTML'\n${appPage(platform.url)}HTML`,
    );
    assert.equal(written.exitCode, 0, written.output);
    await typeCommand(page, `busybox httpd -p ${PORT} -h /srv/www && echo serving-$((6*7))`);
    await waitForTerminal(page, /serving-42/);

    await page.getByTestId('lab-preview').click();
    const dialog = page.getByTestId('preview-dialog');
    await dialog.waitFor({ state: 'visible' });
    const offered = dialog.locator(`[data-port="${PORT}"]`);
    await offered.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/lab-preview-dialog-1440.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREENSHOTS}/lab-preview-dialog-390.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    const [tab] = await Promise.all([context.waitForEvent('page'), offered.click()]);
    await tab.waitForLoadState();
    await tab.locator('#greeting').waitFor({ timeout: 30_000 });
    assert.equal(await tab.locator('#greeting').innerText(), 'Hello from the sandbox');
    previewOrigin = new URL(tab.url()).origin;
    assert.match(previewOrigin, /^http:\/\/[a-z2-7]{26}\.localhost:\d+$/);
    assert.equal(
      new URL(tab.url()).pathname,
      '/',
      'the one-time code is gone from the address bar',
    );
    assert.match(
      await page.getByTestId('preview-message').innerText(),
      new RegExp(`Port ${PORT} opened`),
    );

    // The page's own script tried the platform: it found none of its storage or cookies,
    // could not read its API, and has no handle on the lab page.
    await tab.waitForFunction(() => document.getElementById('probe')?.textContent !== 'probing');
    const found = JSON.parse(await tab.locator('#probe').innerText());
    assert.equal(found.origin, previewOrigin);
    assert.notEqual(found.origin, new URL(platform.url).origin);
    assert.deepEqual(found.localStorage, [], 'none of the platform’s localStorage');
    assert.deepEqual(found.sessionStorage, [], 'none of the platform’s sessionStorage (the token)');
    assert.equal(found.cookie, '', 'the preview’s own cookie is HttpOnly');
    assert.equal(found.api, 'blocked', 'the platform’s API is not readable from the preview');
    assert.equal(found.opener, 'none', 'the preview has no handle on the lab page');
    // …while the lab page does hold them.
    assert.ok(
      (await page.evaluate(() => Object.keys(sessionStorage))).some((k) =>
        k.startsWith('drydock:session:'),
      ),
      'the lab page keeps its session in sessionStorage (the control)',
    );
    await tab.screenshot({ path: `${SCREENSHOTS}/preview-tab-1440.png` });
    await tab.close();
  });

  it('says on the lab page when nothing listens on the port, and opens no tab', async () => {
    const opened: Page[] = [];
    context.on('page', (p) => opened.push(p));
    await page.getByTestId('preview-port').fill('8099');
    await page.getByTestId('preview-open').click();
    const message = page.getByTestId('preview-message');
    await page.waitForFunction(() =>
      /Nothing listens/.test(
        document.querySelector('[data-testid="preview-message"]')?.textContent ?? '',
      ),
    );
    assert.match(await message.innerText(), /Nothing listens on port 8099 in your sandbox/);
    assert.deepEqual(opened, []);
  });

  it('refuses another learner’s browser that has the preview’s address', async () => {
    const other = await browser.newContext();
    try {
      const intruder = await other.newPage();
      const answer = await intruder.goto(`${previewOrigin}/`);
      assert.equal(answer?.status(), 403);
      assert.match(
        await intruder.locator('#message').innerText(),
        /belongs to a session this browser has not opened it from/,
      );
      assert.equal(await intruder.locator('#greeting').count(), 0);
    } finally {
      await other.close();
    }
  });
});

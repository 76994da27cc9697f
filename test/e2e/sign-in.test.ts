/**
 * An instructor signs in and out through the pages, in Chromium, with the
 * keyboard: a wrong password is announced and nothing is kept; the right one
 * leads home, where the header says who is signed in; Sign out ends it. The
 * real server with no engine: sign-in needs none. Screenshots on a laptop and
 * a phone land in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { launchChromium, SCREENSHOTS, submitSignIn } from '../support/browser.ts';
import { ROOT, serveSiteWithoutEngine } from '../support/platform.ts';

const PASSWORD = 'a long enough passphrase';

describe('signing in and out', () => {
  let app: Awaited<ReturnType<typeof serveSiteWithoutEngine>>['app'];
  let url: string;
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/sign-in/index.html`), 'the site must be built first');
    ({ app, url } = await serveSiteWithoutEngine());
    await app.accounts.users.add({
      username: 'ada',
      role: 'instructor',
      displayName: 'Ada Lovelace',
      password: PASSWORD,
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of [
    { name: 'laptop', width: 1440, height: 900 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`signs in with the keyboard, shows who is signed in, and signs out (${viewport.name})`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));

      await page.goto(`${url}/sign-in/`);
      await settled(page);
      assert.deepEqual(await violations(page), [], 'the sign-in page passes WCAG 2.1 AA');
      await page.screenshot({
        path: `${SCREENSHOTS}/sign-in-${viewport.name}.png`,
        fullPage: true,
      });

      // A wrong password: said aloud (role=alert), both fields marked, the password cleared.
      await submitSignIn(page, 'ada', 'not my password');
      const alert = page.getByRole('alert');
      await alert.filter({ hasText: 'do not match' }).waitFor();
      assert.equal(await page.getByLabel('Password').inputValue(), '');
      assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
      assert.ok(await page.getByLabel('Password').evaluate((el) => el === document.activeElement));
      await page.screenshot({ path: `${SCREENSHOTS}/sign-in-refused-${viewport.name}.png` });
      assert.equal((await context.cookies()).length, 0, 'nothing kept after a refusal');

      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${url}/`);
      const [cookie] = await context.cookies();
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Lax');

      const indicator = page.locator('[data-signed-in-indicator]:visible');
      await indicator.waitFor();
      // A phone's header has room for Sign out only; the name is there for screen readers.
      assert.match(
        await indicator.innerText(),
        viewport.name === 'phone'
          ? /Ada Lovelace\s+Classes\s+Sign out$/
          : /Ada Lovelace\s+Instructor/,
      );
      assert.match((await indicator.textContent()) ?? '', /Signed in as/);
      // Beside Classes and Sign out, the site's name is whole (it was "Drydoc" on a phone):
      // its text ends inside the box that clips it.
      const title = await page.locator('.site-title').evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const clip = el.closest('.title-wrapper') ?? el;
        return {
          text: el.textContent?.trim(),
          whole: range.getBoundingClientRect().right <= clip.getBoundingClientRect().right + 0.5,
        };
      });
      assert.deepEqual(title, { text: 'Drydock', whole: true }, 'the site’s name fits the header');
      assert.deepEqual(await violations(page), [], 'the header with the indicator passes too');
      await page.screenshot({ path: `${SCREENSHOTS}/signed-in-${viewport.name}.png` });

      const signOut = indicator.getByRole('button', { name: 'Sign out' });
      await signOut.focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${url}/sign-in/?signed-out`);
      await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
      assert.equal((await context.cookies()).length, 0, 'the cookie is gone');
      const me = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
      assert.deepEqual(me, { signedIn: false });
      assert.equal(await page.locator('[data-signed-in-indicator]:visible').count(), 0);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  it('cannot be sent before its script runs, which would post it to the API and show the raw answer', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(request.url());
    });
    await page.goto(`${url}/sign-in/`);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), true);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    // Nothing to wait for when nothing happens: a moment for a navigation to begin.
    await page.waitForTimeout(500);
    assert.deepEqual(posted, [], 'Enter did not send the form');
    assert.equal(page.url(), `${url}/sign-in/`);
    assert.equal((await context.cookies()).length, 0);
    await context.close();
  });
});

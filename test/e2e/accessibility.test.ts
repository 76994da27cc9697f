/**
 * Every kind of page, checked with axe-core against WCAG 2.1 A and AA, on a laptop
 * and a phone: what a screen-reader or keyboard user would trip over. One page of
 * each kind, to keep CI short; `npm run audit:a11y` checks every page. The site is
 * static, so no engine is needed; the lab page is checked as a learner first sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { launchChromium } from '../support/browser.ts';
import { serveSiteWithoutEngine } from '../support/platform.ts';

const PAGES = [
  '/',
  '/labs/',
  '/labs/named-volume-masks-image/',
  '/lessons/compose-v1-containerconfig/',
  '/tutorial/health-checks/',
  '/symptoms/?q=EBUSY',
  '/join/',
  '/classes/',
  '/no-such-page/',
];
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

describe('accessibility', () => {
  let app: Awaited<ReturnType<typeof serveSiteWithoutEngine>>['app'];
  let url: string;
  let browser: Browser;
  before(async () => {
    ({ app, url } = await serveSiteWithoutEngine());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`finds no WCAG 2.1 AA violation on any kind of page at ${viewport.width} px`, async () => {
      // axe needs a page of its own in the same context to finish its run: a real context, not newPage's.
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const found: string[] = [];
      for (const path of PAGES) {
        await page.goto(`${url}${path}`);
        await settled(page);
        found.push(...(await violations(page)).map((v) => `${path}: ${v}`));
      }
      await context.close();
      assert.deepEqual(found, []);
    });
  }

  it('finds none in the search dialog with suggestions for a pasted error', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.locator('button[data-open-modal]:not([disabled])').click();
    await page
      .locator('#starlight__search input')
      .fill(
        "Error: EBUSY: resource busy or locked, rename '/srv/app/settings.json.tmp' -> '/srv/app/settings.json'",
      );
    await page.locator('[data-known-errors]:visible a').first().waitFor();
    assert.deepEqual(await violations(page), []);
    await context.close();
  });
});

/**
 * A learner arrives with an error message, not a topic: pasted into /symptoms/ (with
 * their own container names, IDs and paths) or typed into the site search, it must
 * lead to the lesson that explains it. The site is static, so no engine is needed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { ROOT, serveSiteWithoutEngine } from '../support/platform.ts';

/** Messages as a learner would paste them: none is copied from a lesson word for word. */
const PASTED: { message: string; lesson: string }[] = [
  {
    message: `Traceback (most recent call last):\n  File "/usr/bin/docker-compose", line 33, in <module>\nKeyError: 'ContainerConfig'`,
    lesson: 'compose-v1-containerconfig',
  },
  {
    message:
      'docker: Error response from daemon: Conflict. The container name "/payments-worker" is already in use by container "0e5b1c8d2f7a9e4b3c6d8f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c". You have to remove (or rename) that container to be able to reuse that name.',
    lesson: 'stale-container-name-conflict',
  },
  {
    message:
      "Error: EBUSY: resource busy or locked, rename '/srv/app/settings.json.tmp' -> '/srv/app/settings.json'",
    lesson: 'readonly-config-mount',
  },
  {
    message:
      'ERROR: for worker  No such image: sha256:0b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c',
    lesson: 'compose-v1-containerconfig',
  },
];

describe('finding a lesson by its error message', () => {
  let app: Awaited<ReturnType<typeof serveSiteWithoutEngine>>['app'];
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    ({ app, url } = await serveSiteWithoutEngine());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Kept for the failure message of search(): what the page itself reported.
    page.on(
      'console',
      (message) => message.type() === 'error' && pageProblems.push(`console: ${message.text()}`),
    );
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      pageProblems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on(
      'response',
      (response) =>
        response.status() >= 400 &&
        pageProblems.push(`HTTP ${response.status()}: ${response.url()}`),
    );
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Links of the page entries the filter leaves visible, in page order. */
  const visibleEntries = (p: Page) =>
    p
      .locator('[data-symptom-entry]:visible .entry-title a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));

  for (const { message, lesson } of PASTED) {
    const errorLine = message.split('\n').at(-1)!;
    it(`leads "${errorLine.slice(0, 60)}…" to the ${lesson} lesson`, async () => {
      await page.goto(`${url}/symptoms/`);
      await page.getByLabel('Paste or type an error message').fill(message);
      await page.waitForFunction(() =>
        /match/i.test(document.querySelector('[data-symptom-count]')?.textContent ?? ''),
      );
      const hrefs = await visibleEntries(page);
      assert.equal(
        hrefs[0],
        `/lessons/${lesson}/`,
        `first match for the pasted message; all matches: ${hrefs.join(', ') || 'none'}`,
      );
      await page.locator('[data-symptom-entry]:visible .entry-title a').first().click();
      await page.waitForURL(`**/lessons/${lesson}/`);
      assert.ok(await page.getByRole('heading', { level: 1 }).isVisible());
    });
  }

  it('says so when nothing matches, and keeps the query in the address for sharing', async () => {
    await page.goto(`${url}/symptoms/`);
    await page.getByLabel('Paste or type an error message').fill('flux capacitor overheated');
    await page.locator('[data-symptom-empty]').waitFor({ state: 'visible' });
    assert.equal((await visibleEntries(page)).length, 0);
    assert.match(page.url(), /\?q=flux/);
    await page.reload();
    assert.equal(
      await page.getByLabel('Paste or type an error message').inputValue(),
      'flux capacitor overheated',
    );
  });

  /** What explains a search box that never appeared: when the scripts ran, what loaded, what failed. */
  const searchState = () =>
    page.evaluate(async () => ({
      readyState: document.readyState,
      searchDefined: Boolean(customElements.get('site-search')),
      pagefindDrawn: Boolean(document.querySelector('.pagefind-ui')),
      dialogOpen: Boolean(document.querySelector('site-search dialog[open]')),
      visibility: document.visibilityState,
      searchScriptRan: document.documentElement.dataset.searchScriptRan,
      domContentLoadedAt: Math.round(
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)
          ?.domContentLoadedEventStart ?? -1,
      ),
      scripts: performance
        .getEntriesByType('resource')
        .filter((r) => /\.js$/.test(r.name))
        .map(
          (r) =>
            `${r.name.split('/').pop()} ${(r as PerformanceResourceTiming).responseStatus} ${Math.round(r.duration)}ms`,
        ),
      idleCallbackRuns: await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 2000);
        requestIdleCallback(() => (clearTimeout(timer), resolve(true)));
      }),
    }));

  /**
   * Opens the site search (Starlight's dialog, Pagefind inside) and types or pastes a query.
   *
   * Starlight draws Pagefind's search box once the page is idle after DOMContentLoaded.
   * In 3 of about 40 runs of this file on these machines, the box was never drawn:
   * the dialog opened empty and stayed so, with the page loaded (readyState complete)
   * and Starlight's search element defined. That is Starlight's start-up, not the
   * suggestions tested here, so the test reloads once and says so in a WARNING line
   * with the page's state and any errors it reported; a second miss fails.
   */
  async function search(query: string, t: TestContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await page.goto(`${url}/`);
      await page.locator('button[data-open-modal]:not([disabled])').click();
      try {
        await page.locator('#starlight__search input').fill(query, { timeout: 10_000 });
        return;
      } catch (error) {
        const report = `the search box never appeared: ${JSON.stringify(await searchState())}; the page reported: ${pageProblems.join(' | ') || 'nothing'}`;
        if (attempt > 1) throw new Error(report, { cause: error });
        t.diagnostic(`WARNING: ${report}; reloading once`);
      }
    }
  }

  it('finds the lesson for a keyword in the site search', async (t) => {
    await search('ContainerConfig', t);
    const first = page.locator('.pagefind-ui__result-link').first();
    await first.waitFor({ timeout: 15_000 });
    assert.match(
      (await first.getAttribute('href')) ?? '',
      /\/lessons\/compose-v1-containerconfig\//,
    );
  });

  for (const { message, lesson } of PASTED) {
    it(`suggests the ${lesson} lesson for the whole message pasted into the site search`, async (t) => {
      // Full-text search finds no page with this learner's IDs and names; the suggestion does.
      await search(message, t);
      const suggestion = page.locator('[data-known-errors]:visible a').first();
      await suggestion.waitFor({ timeout: 15_000 });
      assert.equal(await suggestion.getAttribute('href'), `/lessons/${lesson}/`);
      if (lesson === 'stale-container-name-conflict')
        await page.screenshot({ path: `${SCREENSHOTS}/search-pasted-error-1440.png` });
      await suggestion.click();
      await page.waitForURL(`**/lessons/${lesson}/`);
    });
  }

  it('tries the catalog again after it failed to load, so suggestions come back', async (t) => {
    // A network failure for one request can't be caused for real on loopback: Playwright
    // aborts the first request for the catalog instead (a fake, for this fault only).
    let aborted = 0;
    await page.route('**/symptoms.json', (route) =>
      aborted++ === 0 ? route.abort('internetdisconnected') : route.continue(),
    );
    try {
      await search(PASTED[2]!.message, t);
      for (const deadline = Date.now() + 15_000; aborted === 0; await page.waitForTimeout(50)) {
        assert.ok(Date.now() < deadline, 'the page never asked for the catalog (/symptoms.json)');
      }
      await page.waitForTimeout(500); // the suggestions' debounce (150 ms) and the failed fetch settle
      assert.equal(
        await page.locator('[data-known-errors]:visible').count(),
        0,
        'no suggestions while the catalog could not be loaded',
      );
      await page.locator('#starlight__search input').pressSequentially(' ');
      await page.locator('[data-known-errors]:visible a').first().waitFor({ timeout: 15_000 });
      assert.equal(aborted, 2, 'the catalog was requested again');
    } finally {
      await page.unroute('**/symptoms.json');
    }
  });

  it('suggests nothing for a plain keyword, and leaves it to the full-text results', async (t) => {
    await search('volume', t);
    await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-known-errors]:visible').count(), 0);
  });

  it('looks right on a phone', async (t) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${url}/symptoms/?q=${encodeURIComponent(PASTED[1]!.message)}`);
    await page.locator('[data-symptom-entry]:visible').first().waitFor();
    // Opened from a shared link: the count says what matched, without waiting for typing to pause.
    assert.match(await page.locator('[data-symptom-count]').innerText(), /^\d+ messages? match/);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at 390 px wide`);
    await page.screenshot({ path: `${SCREENSHOTS}/symptoms-pasted-390.png`, fullPage: true });
    await search(PASTED[2]!.message, t);
    await page.locator('[data-known-errors]:visible a').first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/search-pasted-error-390.png` });
  });
});

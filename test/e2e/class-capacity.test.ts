/**
 * "Will it fit?" on /classes/, in Chromium against the real server (its engine's
 * host memory, no sandbox started): as the instructor ticks a lab and types how
 * many learners to expect, the form says whether this machine holds the class,
 * with the limit that decides, and what to change when it does not; the class,
 * once created, says the same on its card. Screenshots at 1440 and 390 px into
 * test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';

const LAB_TITLE = 'A named volume hides files baked into the image';
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('whether a class fits, on the class page', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const shoot = async (name: string) => {
    for (const [size, viewport] of [
      ['wide', WIDE],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await settled(page);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${size}.png`, fullPage: true });
    }
    await page.setViewportSize(WIDE);
  };

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/classes/index.html`), 'the site must be built first');
    // A store of its own: the class made here is nobody else's to warm or count.
    platform = await startPlatform(
      {
        DRYDOCK_MAX_SANDBOXES: '8',
        // A class opening in an hour starts filling minutes before: nothing is warmed here.
        DRYDOCK_WARM_MAX: '6',
        DRYDOCK_DATABASE_URL: 'sqlite::memory:',
      },
      { listen: true },
    );
    const cookie = await signedInStaff(platform, 'instructor', 'Grace Hopper');
    const [name, value] = cookie.split('=') as [string, string];
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: WIDE });
    await context.addCookies([{ name, value, url: platform.url }]);
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('says as the form is filled in whether the machine holds the class, and how to make it fit', async () => {
    await page.goto(`${platform.url}/classes/`);
    await page.getByLabel('Name', { exact: true }).fill('Friday Docker workshop');
    const note = page.locator('[data-capacity-note]');
    await page.getByLabel(LAB_TITLE).check();
    await page.getByLabel('Learners expected').fill('6');
    await page.waitForFunction(() =>
      document.querySelector('[data-capacity-note]')?.textContent?.startsWith('Fits: 6 learners'),
    );
    assert.equal(await note.getAttribute('data-fits'), 'true');
    assert.match(
      await note.innerText(),
      /and 8 sandboxes at once are left for it \(DRYDOCK_MAX_SANDBOXES=8 allows 8; memory: about \d+ sandboxes of 512 MiB fit\)/,
    );
    await shoot('class-capacity-fits');

    await page.getByLabel('Learners expected').fill('12');
    await page.waitForFunction(() =>
      document
        .querySelector('[data-capacity-note]')
        ?.textContent?.startsWith('Does not fit: 12 learners'),
    );
    assert.equal(await note.getAttribute('data-fits'), 'false');
    assert.match(await note.innerText(), /To make it fit: raise DRYDOCK_MAX_SANDBOXES to 12/);
    assert.deepEqual(await violations(page), [], 'the class page passes WCAG 2.1 AA');
    await shoot('class-capacity-does-not-fit');

    // Unticking the only lab leaves nothing to ask about.
    await page.getByLabel(LAB_TITLE).uncheck();
    await page.waitForFunction(
      () => document.querySelector('[data-capacity-note]')?.textContent === '',
    );
    assert.deepEqual(problems, []);
  });

  it('says it on the created class’s card too', async () => {
    await page.getByLabel(LAB_TITLE).check();
    await page.getByLabel('Learners expected').fill('8');
    await page.getByRole('button', { name: 'Create the class' }).click();
    const card = page.locator('.class-card').first();
    await card.waitFor();
    const line = card.locator('[data-capacity]');
    assert.equal(await line.getAttribute('data-fits'), 'true');
    assert.match(await line.innerText(), /^Fits: 8 learners/);
    assert.match(
      await line.innerText(),
      /6 of its first lab’s sandboxes are set up before it opens \(DRYDOCK_WARM_MAX=6\); the other 2 start/,
    );
    assert.deepEqual(await violations(page), [], 'the card passes WCAG 2.1 AA');
    await shoot('class-capacity-card');
    assert.deepEqual(problems, []);
  });
});

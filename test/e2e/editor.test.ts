/**
 * The lab page's editor in Chromium against the real server and a real sandbox:
 * CodeMirror is fetched only when the learner opens the editor; the Dockerfile
 * opens highlighted, an edit saved with Ctrl+S is what `cat` shows in the
 * terminal; a change made in the terminal meanwhile is not overwritten unasked;
 * saving a file the learner may not write says why. Screenshots with the editor
 * open at 1440 px (light and dark) and 390 px. One sandbox.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  SCREENSHOTS,
  typeCommand,
  waitForTerminal,
  startLab,
} from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:~\/lab#\s*$/;

/** The editor's message line once it says something matching `pattern`. */
async function editorSays(page: Page, pattern: RegExp): Promise<string> {
  const message = page.getByTestId('editor-message');
  await page
    .waitForFunction(
      (source) =>
        new RegExp(source).test(
          document.querySelector('[data-testid="editor-message"]')?.textContent ?? '',
        ),
      pattern.source,
      { timeout: 15_000 },
    )
    .catch(async (error: unknown) => {
      throw new Error(`the editor never said ${pattern}; it says: ${await message.innerText()}`, {
        cause: error,
      });
    });
  return message.innerText();
}

/** The colour CodeMirror gives the Dockerfile's `FROM`. */
const keywordColour = (page: Page) =>
  page.evaluate(() => {
    const span = [...document.querySelectorAll('[data-testid="editor-text"] .cm-line span')].find(
      (s) => s.textContent === 'FROM',
    );
    return span ? getComputedStyle(span).color : undefined;
  });

describe('the lab page’s editor', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/index.html`), 'the site must be built first');
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (request) => requested.push(request.url()));
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('loads CodeMirror only when the editor opens, and saves an edit the terminal then shows', async () => {
    await startLab(page, platform.url, LAB, PROMPT);
    assert.deepEqual(
      requested.filter((url) => /editor-panel|codemirror/i.test(url)),
      [],
      'no editor code before the editor opens',
    );

    await page.getByTestId('lab-editor-toggle').click();
    await page.getByTestId('editor-entry-Dockerfile').click();
    await page.locator('[data-testid="editor-text"] .cm-content').waitFor();
    assert.ok(
      requested.some((url) => /editor-panel/.test(url)),
      'the editor chunk was fetched',
    );
    assert.ok(await keywordColour(page), 'FROM is highlighted as a keyword');

    await page.locator('[data-testid="editor-text"] .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# edited in the browser\n');
    await page.locator('.editor-tab[data-dirty]').waitFor();
    await page.keyboard.press('Control+S');
    assert.equal(await editorSays(page, /^Saved /), 'Saved /root/lab/Dockerfile.');
    assert.equal(await page.locator('.editor-tab[data-dirty]').count(), 0);

    await typeCommand(page, 'tail -n 2 Dockerfile');
    await waitForTerminal(page, /ENTRYPOINT[^\n]*\n# edited in the browser\n/);
  });

  it('asks before overwriting a file changed in the terminal since it was opened', async () => {
    await typeCommand(page, "echo '# from the shell' >> Dockerfile");
    await waitForTerminal(page, />> Dockerfile\n[^\n]*lab#\s*$/);
    await page.locator('[data-testid="editor-text"] .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# second edit\n');
    await page.getByTestId('editor-save').click();
    const question = page.locator('[data-editor-confirm]');
    await question.waitFor();
    assert.match(
      await question.innerText(),
      /Dockerfile changed in the sandbox since you opened it/,
    );
    await typeCommand(page, 'tail -n 1 Dockerfile');
    await waitForTerminal(page, /tail -n 1 Dockerfile\n# from the shell\n/);

    await page.getByTestId('editor-overwrite').click();
    await editorSays(page, /^Saved /);
    assert.equal(await question.isHidden(), true);
    await typeCommand(page, 'tail -n 1 Dockerfile');
    await waitForTerminal(page, /tail -n 1 Dockerfile\n# second edit\n/);
  });

  it('says why a file the learner may not write cannot be saved', async () => {
    await page.getByTestId('editor-path').fill('/etc/hostname');
    await page.getByTestId('editor-path').press('Enter');
    await page.getByTestId('editor-tab-hostname').waitFor();
    await page.locator('[data-testid="editor-text"] .cm-content').click();
    await page.keyboard.type('renamed-');
    await page.keyboard.press('Control+S');
    assert.match(
      await editorSays(page, /Cannot save/),
      /^Cannot save \/etc\/hostname: it is read-only: the file system it is on is mounted read-only/,
    );
    assert.equal(await page.locator('.editor-tab[data-dirty]').count(), 1, 'the edit is kept');
    assert.equal(
      await page.locator('[data-testid="editor-message"]').getAttribute('data-tone'),
      'error',
    );
  });

  it('follows the site’s theme, and takes the terminal’s place on a phone', async () => {
    await page.getByTestId('editor-tab-Dockerfile').click();
    const colours: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
      colours.push((await keywordColour(page)) ?? '');
      await page.screenshot({ path: `${SCREENSHOTS}/lab-editor-1440-${scheme}.png` });
    }
    assert.notEqual(colours[0], colours[1], 'keywords take the dark theme’s colour');

    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await page.locator('[data-terminal-window]').isVisible(), false);
    assert.equal(await page.getByTestId('lab-editor').isVisible(), true);
    await page.getByTestId('lab-editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/lab-editor-390-dark.png` });
    await page.getByTestId('lab-editor-toggle').click();
    assert.equal(await page.locator('[data-terminal-window]').isVisible(), true);
    assert.equal(await page.getByTestId('lab-editor').isVisible(), false);
  });
});

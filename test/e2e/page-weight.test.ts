/**
 * What a page makes a phone download before anyone needs a terminal: a lesson
 * page fetches no terminal or editor code, and the lab page fetches the
 * terminal's (xterm.js, the terminal socket, the session's connection) only
 * once a lab opens: on Start, or on a reload that finds its session still
 * live (site/scripts/terminal-loader.ts). Chromium watching the network,
 * against the real server and engine, with one sandbox.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, waitForTerminal } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:~\/lab#/;
/** The terminal's chunks, named by Vite after their modules. */
const TERMINAL_CHUNK = /\/_astro\/(lab-terminal|session-connection|terminal-socket)\.[\w-]+\.js$/;
/**
 * Library code found by what it contains, whatever chunk it landed in: xterm.js
 * makes its input textarea with this class, CodeMirror's theme styles its scroller.
 */
const XTERM_MARK = 'xterm-helper-textarea';
const CODEMIRROR_MARK = 'cm-scroller';

interface Script {
  url: string;
  body: string;
}

/** Every script the page fetched from now on, with its text. */
function recordScripts(page: Page): { scripts: Script[]; settled: () => Promise<void> } {
  const scripts: Script[] = [];
  const reading: Promise<void>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    reading.push(
      response.text().then(
        (body) => void scripts.push({ url: response.url(), body }),
        () => void scripts.push({ url: response.url(), body: '' }),
      ),
    );
  });
  return { scripts, settled: async () => void (await Promise.all(reading)) };
}

/** A phone-sized page that fetches every script it runs: a cache hit may show no request at all. */
async function freshPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return page;
}

const terminalCode = (scripts: Script[]) =>
  scripts
    .filter((s) => TERMINAL_CHUNK.test(s.url) || s.body.includes(XTERM_MARK))
    .map((s) => new URL(s.url).pathname);
const editorCode = (scripts: Script[]) =>
  scripts.filter((s) => s.body.includes(CODEMIRROR_MARK)).map((s) => new URL(s.url).pathname);

describe('what pages download before a lab opens', () => {
  let platform: TestPlatform;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('loads no terminal or editor code on lesson pages', async () => {
    const page = await freshPage(browser);
    const { scripts, settled } = recordScripts(page);
    // A lesson with a lab card, and a tutorial page; networkidle includes the search's idle load.
    for (const path of [`/lessons/${LAB}/`, '/tutorial/layers-and-build-cache/']) {
      await page.goto(`${platform.url}${path}`, { waitUntil: 'networkidle' });
    }
    await settled();
    assert.ok(scripts.length > 0, 'the pages ran scripts of their own');
    assert.deepEqual(terminalCode(scripts), []);
    assert.deepEqual(editorCode(scripts), []);
    await page.close();
  });

  it('fetches the terminal code on the lab page only when Start is pressed, and again on a reload into the live session', async () => {
    const page = await freshPage(browser);
    const { scripts, settled } = recordScripts(page);
    await page.goto(`${platform.url}/labs/${LAB}/`, { waitUntil: 'networkidle' });
    // Labs are available here (the page asked the server), so Start is on offer.
    await page.waitForFunction(
      () => !document.querySelector<HTMLButtonElement>('[data-testid="lab-start"]')?.disabled,
    );
    await settled();
    assert.ok(scripts.length > 0, 'the lab page ran its scripts');
    assert.deepEqual(terminalCode(scripts), [], 'terminal code before Start');
    assert.deepEqual(editorCode(scripts), [], 'editor code before Start');

    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, PROMPT, 120_000);
    await settled();
    const afterStart = terminalCode(scripts);
    assert.ok(
      afterStart.some((path) => /lab-terminal/.test(path)),
      `xterm.js after Start: ${afterStart.join(', ')}`,
    );
    assert.ok(
      scripts.some((s) => s.body.includes(XTERM_MARK)),
      'the xterm.js mark is found in what Start fetched',
    );

    // A reload finds the session and fetches the terminal without Start.
    scripts.length = 0;
    await page.reload();
    await waitForTerminal(page, PROMPT, 60_000);
    await settled();
    assert.ok(
      terminalCode(scripts).some((path) => /lab-terminal/.test(path)),
      'the reloaded page fetched xterm.js to show the live session',
    );

    await page.getByTestId('lab-stop').click();
    await page.waitForFunction(() =>
      /stopped/i.test(document.querySelector('[data-testid="lab-status"]')?.textContent ?? ''),
    );
    await page.close();
  });
});

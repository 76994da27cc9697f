/** Debian's Chromium driven by Playwright, with the flags this closed network needs. */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './platform.ts';

export const SCREENSHOTS = `${ROOT}test-results/screenshots`;

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.DRYDOCK_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What the lab page's terminal shows, as text. */
export const terminalText = (page: Page) =>
  page.evaluate(() => window.__drydockTerminalText?.() ?? '');

/** Waits until the terminal shows `pattern`; a failure quotes its last lines and the lab's status. */
export async function waitForTerminal(
  page: Page,
  pattern: RegExp,
  timeout = 60_000,
): Promise<void> {
  try {
    await page.waitForFunction(
      (source) => new RegExp(source).test(window.__drydockTerminalText?.() ?? ''),
      pattern.source,
      { timeout, polling: 100 },
    );
  } catch (error) {
    // What the learner would have seen is what explains a failure here.
    const screen = (await terminalText(page).catch(() => '(the page is gone)'))
      .trimEnd()
      .split('\n')
      .slice(-25)
      .join('\n');
    const status = await page
      .getByTestId('lab-status')
      .innerText()
      .catch(() => '?');
    throw new Error(
      `the terminal never showed ${pattern} within ${timeout} ms (status: ${status}); its last lines:\n${screen}`,
      { cause: error },
    );
  }
}

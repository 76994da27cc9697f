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

/**
 * One Chromium for a test of several people (an instructor, learners), each in
 * a browser context of their own, so that no cookie or storage is shared. Every
 * page's uncaught errors are collected in `problems`, which a test expects empty.
 */
export class People {
  readonly problems: string[] = [];

  private readonly browser: Browser;
  private readonly url: string;

  private constructor(browser: Browser, url: string) {
    this.browser = browser;
    this.url = url;
  }

  static async launch(url: string): Promise<People> {
    return new People(await launchChromium(), url);
  }

  /** A new person's page; `cookie` ("name=value", a staff sign-in say) is theirs before it opens. */
  async page(viewport: { width: number; height: number }, cookie?: string): Promise<Page> {
    const context = await this.browser.newContext({ viewport });
    if (cookie) {
      const at = cookie.indexOf('=');
      await context.addCookies([
        { name: cookie.slice(0, at), value: cookie.slice(at + 1), url: this.url },
      ]);
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => this.problems.push(error.message));
    return page;
  }

  /** Closes the browser, and with it every person's context. */
  close(): Promise<void> {
    return this.browser.close();
  }
}

/** The shell's prompt in a lab's workdir, as the sandbox's bash prints it. */
export const LAB_PROMPT = /sandbox:~\/lab#/;

/** Opens a lab's page at `baseUrl`, presses Start and waits for the shell's prompt. */
export async function startLab(
  page: Page,
  baseUrl: string,
  lab: string,
  prompt: RegExp = LAB_PROMPT,
): Promise<void> {
  await page.goto(`${baseUrl}/labs/${lab}/`);
  await page.getByTestId('lab-start').click();
  await waitForTerminal(page, prompt, 120_000);
}

/**
 * Signs in on /sign-in/ as a person does, once the page can: its button is
 * disabled until the page's script has set the form up.
 */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('[data-sign-in-submit]:not([disabled])').waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.keyboard.press('Enter');
}

/** Types a command into the lab page's terminal and presses Enter, as a learner does. */
export async function typeCommand(page: Page, command: string): Promise<void> {
  await page.getByTestId('lab-terminal').click();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** Every line of the terminal's active buffer (scrollback included), and which buffer is active. */
export const terminalBuffer = (page: Page) =>
  page.evaluate(
    () =>
      window.__drydockTerminalBuffer?.() ?? { buffer: 'normal' as const, lines: [] as string[] },
  );

/** What the lab page's terminal shows, as text. */
export const terminalText = (page: Page) =>
  page.evaluate(() => window.__drydockTerminalText?.() ?? '');

/**
 * Waits until the terminal shows `pattern` (its source only: flags are dropped, so
 * `^` and `$` are the screen's first and last character); a failure quotes its last
 * lines and the lab's status.
 */
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
    const screen = JSON.stringify(
      (await terminalText(page).catch(() => '(the page is gone)')).trimEnd().split('\n').slice(-25),
    );
    const status = await page
      .getByTestId('lab-status')
      .innerText()
      .catch(() => '?');
    throw new Error(
      `the terminal never showed ${pattern} within ${timeout} ms (status: ${status}); its last lines: ${screen}`,
      { cause: error },
    );
  }
}

/**
 * Presses Check and waits until the task shows `state`; returns what the task
 * says (its check's output).
 */
export async function checkTask(
  page: Page,
  task: string,
  state: 'passed' | 'failed',
  timeout = 60_000,
): Promise<string> {
  await page.getByTestId('lab-check').click();
  await page.waitForFunction(
    ([id, wanted]) =>
      document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') === wanted,
    [task, state] as const,
    { timeout },
  );
  return page.getByTestId(`task-${task}`).getByTestId('task-output').innerText();
}

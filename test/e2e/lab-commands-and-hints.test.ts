/**
 * Commands to click and errors recognised, as a learner meets them in Chromium
 * against the real server and a real sandbox: a Run button types its block into
 * the shell (after Ctrl-C where the block says so), Copy puts a block on the
 * clipboard, and an error a lesson explains, printed in the terminal, brings
 * that lesson's link under the terminal, once.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import {
  launchChromium,
  SCREENSHOTS,
  terminalText,
  typeCommand,
  waitForTerminal,
} from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:~\/lab#/;
const LS_IMAGE = 'docker run --rm --entrypoint ls harborlog:1.1 -la /home/app/harborlog';

describe('commands to click and errors recognised on the lab page', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const runButton = (command: string) =>
    page.locator(`[data-run-code="${command}"] + .run-bar`).getByTestId('run-command');
  const hints = () => page.getByTestId('error-hint');

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await context.newPage();
    await page.goto(`${platform.url}/labs/${LAB}/`);
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('offers Start once the page’s script can act on it, not before', async () => {
    // Pressed before the script had loaded (astro dev under CI's load), Start did nothing.
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await bare.goto(`${platform.url}/labs/${LAB}/`);
    assert.equal(await bare.getByTestId('lab-start').isDisabled(), true);
    await noScript.close();
    await page.locator('[data-testid="lab-start"]:not([disabled])').waitFor();
  });

  it('ships the catalogue inside the lab page only: no request for it, nothing on lessons', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.reload();
    await page.getByTestId('lab-start').waitFor();
    assert.ok(
      (await page.locator('script[data-terminal-errors]').textContent())!.length > 1000,
      'the patterns are in the page',
    );
    assert.deepEqual(
      requested.filter((path) => path.includes('symptoms')),
      [],
    );
    // A lesson page loads none of it: no pattern data, no spotter code in any script it runs.
    const lessonPage = await context.newPage();
    const scripts: Promise<string>[] = [];
    lessonPage.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.text());
    });
    await lessonPage.goto(`${platform.url}/lessons/${LAB}/`, { waitUntil: 'networkidle' });
    assert.equal(await lessonPage.locator('script[data-terminal-errors]').count(), 0);
    const code = await Promise.all(scripts);
    assert.ok(code.length > 0, 'the lesson runs scripts (its search)');
    assert.equal(
      code.some((text) => text.includes('drydock:error-hints')),
      false,
      'no script of the lesson holds the error spotter',
    );
    await lessonPage.close();
  });

  it('shows Run on the marked blocks only, disabled with a reason until a sandbox is ready', async () => {
    const buttons = page.getByTestId('run-command');
    assert.equal(await buttons.count(), 5, 'four blocks in task 1, one in task 2');
    assert.equal(
      (await page.locator('.expressive-code').count()) > 5,
      true,
      'and more blocks without',
    );
    const first = runButton(LS_IMAGE);
    assert.equal(await first.isDisabled(), true);
    assert.match(
      await page.locator(`[data-run-code="${LS_IMAGE}"] + .run-bar`).innerText(),
      /Start the sandbox to run this/,
    );
  });

  it('copies a code block to the clipboard', async () => {
    const block = page.locator(`[data-run-code="${LS_IMAGE}"]`);
    await block.hover();
    await block.getByRole('button', { name: /copy/i }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), LS_IMAGE);
    // The "Copied!" note fades and goes: half-faded, axe (next) measured its contrast.
    await block.locator('.feedback').waitFor({ state: 'detached' });
  });

  it('passes axe with the Run buttons on the page', async () => {
    await settled(page);
    assert.deepEqual(await violations(page), []);
  });

  it('runs a clicked block in the sandbox, and shows its output', async () => {
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, PROMPT, 120_000);
    const button = runButton(LS_IMAGE);
    await button.waitFor({ state: 'visible' });
    assert.equal(await button.isEnabled(), true);
    await button.click();
    // The image's own files: the template the volume hides in the container.
    await waitForTerminal(page, /harborlog\.conf\.tmpl/);
    assert.ok(
      (await terminalText(page)).includes(LS_IMAGE),
      'the command was typed into the shell',
    );
  });

  it('presses Ctrl-C first for a block marked `run interrupt`', async () => {
    await typeCommand(page, 'sleep 300');
    await waitForTerminal(page, /# sleep 300\s*$/);
    await runButton('curl -s localhost:8080/cgi-bin/status').click();
    await waitForTerminal(page, /\^C[\s\S]*# curl -s localhost:8080\/cgi-bin\/status/);
    // The sleep is over: the shell takes the next command at once.
    await typeCommand(page, 'echo "after-$((40+2))"');
    await waitForTerminal(page, /\nafter-42\n/, 20_000);
  });

  it('offers the lesson that explains an error the terminal printed, once, without taking focus', async () => {
    assert.equal(await hints().count(), 0);
    await typeCommand(page, 'docker run no-such-image:1');
    await waitForTerminal(page, /Unable to find image 'no-such-image:1' locally/);
    await hints().first().waitFor({ timeout: 10_000 });
    const link = hints().first().getByRole('link');
    assert.match(
      (await link.getAttribute('href')) ?? '',
      /^\/lessons\/versioned-images-and-air-gap\/#symptom$/,
    );
    assert.match(
      await page.locator('[data-error-hints-announce]').innerText(),
      /“Prune old image versions and move images without a registry” explains/,
    );
    // Typing goes on in the terminal: the offer took no focus.
    assert.equal(
      await page.evaluate(() =>
        document.activeElement?.classList.contains('xterm-helper-textarea'),
      ),
      true,
    );

    // The same message again (printed, to spare another wait for the registry's DNS).
    await typeCommand(
      page,
      `printf "Unable to find image '%s' locally\\n" no-such-image:2; echo "again-$((40+2))"`,
    );
    await waitForTerminal(page, /\nagain-42\n/);
    await page.waitForTimeout(500);
    assert.equal(await hints().count(), 1, 'the same error again brings no second offer');

    // A name conflict: another lesson, offered beside the first.
    await typeCommand(
      page,
      'docker run -d --name hint-demo drydock/lab-base:latest sleep 300 >/dev/null; docker run -d --name hint-demo drydock/lab-base:latest sleep 300',
    );
    await waitForTerminal(page, /The container name "\/hint-demo" is already/);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="error-hint"]').length === 2,
    );
    assert.match(
      (await hints().nth(1).getByRole('link').getAttribute('href')) ?? '',
      /^\/lessons\/stale-container-name-conflict\//,
    );
  });

  it('keeps its offers across a reload, and still makes none twice', async () => {
    await page.reload();
    await waitForTerminal(page, /The container name "\/hint-demo" is already/, 60_000);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="error-hint"]').length === 2,
    );
    // The reload replays the screen, errors included: nothing new is offered.
    await page.waitForTimeout(1000);
    assert.equal(await hints().count(), 2);
  });

  it('passes axe with a sandbox running and lessons offered, and looks right at 1440 and 390 px', async () => {
    await settled(page);
    assert.deepEqual(await violations(page), []);
    await page.screenshot({ path: `${SCREENSHOTS}/lab-hints-1440.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SCREENSHOTS}/lab-hints-1440-dark.png` });
    assert.deepEqual(await violations(page), []);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('error-hints').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/lab-hints-390.png` });
    await runButton(LS_IMAGE).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/lab-run-buttons-390.png` });
    assert.deepEqual(await violations(page), []);
    await page.getByTestId('lab-stop').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="lab-status"]')?.getAttribute('data-phase') ===
        'stopped',
      undefined,
      { timeout: 60_000 },
    );
    assert.equal(await runButton(LS_IMAGE).isDisabled(), true, 'no shell, no Run');
  });
});

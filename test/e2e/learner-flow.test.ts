/**
 * What a learner does, in a real browser against the real server and engine:
 * read the lesson, open its lab, press Start, work in the terminal, press Check.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  checkTask,
  launchChromium,
  SCREENSHOTS,
  terminalText,
  typeCommand as run,
  waitForTerminal,
} from '../support/browser.ts';
import {
  assertNothingLeft,
  ROOT,
  serveSiteWithoutEngine,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

describe('a learner in the browser', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  /** The X-Drydock-Learner header of each API request the page made. */
  const learnerIds: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    platform = await startPlatform({}, { listen: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (request) => {
      // The learner's API; staff sign-in (/api/auth/, asked by every page's header) is no learner's.
      const path = new URL(request.url()).pathname;
      if (
        path.startsWith('/api/') &&
        !path.startsWith('/api/auth/') &&
        request.resourceType() === 'fetch'
      )
        learnerIds.push(request.headers()['x-drydock-learner'] ?? '(none)');
    });
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('goes from the lesson to its lab', async () => {
    await page.goto(`${platform.url}/lessons/${LAB}/`);
    await assert.doesNotReject(page.getByRole('heading', { level: 1 }).waitFor());
    await page.getByTestId('lesson-lab-card').click();
    await page.waitForURL(`**/labs/${LAB}/`);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /named volume/i);
    const lessonLinks = await page.locator(`a[href*="/lessons/${LAB}"]`).count();
    assert.ok(lessonLinks > 0, 'the lab links back to its lesson');
  });

  it('starts a sandbox and shows a prompt', async () => {
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, /sandbox:~\/lab#/, 120_000);
    await page.screenshot({ path: `${SCREENSHOTS}/lab-started-1440.png` });
  });

  it('runs typed commands and shows their output, colours and UTF-8 included', async () => {
    await run(page, 'docker compose ps -a --format "{{.Service}} is {{.State}}"; echo "größe ✓"');
    // The broken service crash-loops: between two crashes Compose may catch it running.
    await waitForTerminal(page, /web is (restarting|exited|running)/);
    await waitForTerminal(page, /größe ✓/);
  });

  it('shows failing tasks with the reason after Check on the broken scenario', async () => {
    const output = await checkTask(page, 'service-runs-new-config', 'failed');
    assert.match(output, /restarting|exited/i);
    // With the message, the lesson section that explains the task (its explainedIn).
    const why = page
      .getByTestId('task-service-runs-new-config')
      .getByRole('link', { name: /^Why: / });
    assert.equal(await why.innerText(), 'Why: Fix');
    const href = await why.getAttribute('href');
    assert.equal(href, '/lessons/named-volume-masks-image/#fix');
    const lesson = await page.request.get(new URL(href, page.url()).href);
    assert.match(await lesson.text(), /<h2 id="fix"/, 'the anchor is a heading of the lesson page');
    await page
      .getByTestId('task-service-runs-new-config')
      .screenshot({ path: `${SCREENSHOTS}/lab-task-why-1440.png` });
  });

  it('passes every task after the learner fixes it in the terminal', async () => {
    await run(
      page,
      "sed -i 's|^COPY harborlog.conf.tmpl .*|COPY harborlog.conf.tmpl /opt/harborlog/harborlog.conf.tmpl|' Dockerfile",
    );
    await run(
      page,
      "sed -i 's|^TEMPLATE=.*|TEMPLATE=/opt/harborlog/harborlog.conf.tmpl|' entrypoint.sh",
    );
    await run(
      page,
      'docker compose up -d --build 2>&1 | tail -2 && sleep 2 && curl -s localhost:8080/cgi-bin/status | grep berths',
    );
    await waitForTerminal(page, /berths = 12/, 120_000);

    await page.getByTestId('lab-check').click();
    for (const task of ['template-outside-mounts', 'service-runs-new-config', 'logbook-kept']) {
      await page.waitForFunction(
        (id) =>
          document.querySelector(`[data-testid="task-${id}"]`)?.getAttribute('data-state') ===
          'passed',
        task,
        { timeout: 60_000 },
      );
    }
    assert.equal(
      await page.getByRole('link', { name: /^Why: / }).count(),
      0,
      'a passed task shows no "Why:" link',
    );
    await page.screenshot({ path: `${SCREENSHOTS}/lab-passed-1440.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SCREENSHOTS}/lab-passed-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('finds the same sandbox and shell again after a reload, with the screen restored', async (t) => {
    const mark = `reload-${Date.now()}`;
    await run(page, `echo "$((6*7))-${mark}"`);
    await waitForTerminal(page, new RegExp(`42-${mark}`));
    const sessionsBefore = platform.sessions.liveCount;
    const reloaded = performance.now();
    await page.reload();
    await waitForTerminal(page, new RegExp(`42-${mark}`), 30_000);
    t.diagnostic(`reload → terminal content back: ${(performance.now() - reloaded).toFixed(0)} ms`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="lab-check"]')?.hasAttribute('disabled') === false,
    );
    assert.equal(
      platform.sessions.liveCount,
      sessionsBefore,
      'the reload did not start a second sandbox',
    );
    await run(page, 'echo "still $((40+2))"');
    await waitForTerminal(page, /still 42/);
  });

  it('sends one learner identity with every API request, kept across the reload', () => {
    assert.ok(learnerIds.length >= 5, `API requests seen: ${learnerIds.length}`);
    assert.equal(
      new Set(learnerIds).size,
      1,
      `identities sent: ${[...new Set(learnerIds)].join(', ')}`,
    );
    assert.match(learnerIds[0]!, /^[A-Za-z0-9_-]{16,64}$/);
  });

  it('removes the sandbox when the learner presses Stop', async () => {
    await page.getByTestId('lab-stop').click();
    await page.waitForFunction(() =>
      /stopped/i.test(document.querySelector('[data-testid="lab-status"]')?.textContent ?? ''),
    );
    const deadline = Date.now() + 15_000;
    while (platform.sessions.liveCount > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(platform.sessions.liveCount, 0);
    assert.ok((await terminalText(page)).length > 0);
  });
});

describe('a lab page when no Docker engine is reachable', () => {
  it('says plainly that labs are unavailable, and why', async () => {
    const { app, url } = await serveSiteWithoutEngine();
    await app.backend.whenSettled(5000);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${url}/labs/${LAB}/`);
      const banner = page.getByTestId('labs-unavailable');
      await banner.waitFor({ state: 'visible' });
      assert.match(await banner.innerText(), /No Docker engine is reachable/i);
      assert.equal(await page.getByTestId('lab-start').isDisabled(), true);
      await page.screenshot({ path: `${SCREENSHOTS}/lab-unavailable-1440.png` });
    } finally {
      await browser.close();
      await app.close();
    }
  });
});

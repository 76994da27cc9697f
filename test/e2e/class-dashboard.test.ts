/**
 * The instructor's live dashboard, in Chromium against the real server and
 * engine: an instructor signs in, creates a class and opens its dashboard from
 * /classes/; two learners join in browsers of their own (one with a display
 * name that is markup and must stay text); one starts the lab in a real
 * sandbox, types something and presses Check. Without a reload the dashboard
 * shows the failing cell with its message (on hover and on keyboard focus) and
 * where the class is stuck; Watch shows the learner's screen read-only (what
 * the instructor types never reaches the learner's shell) while the learner's
 * page says who watches. The page passes axe and is screenshotted on a laptop
 * (1440x900), a tablet (1024x768) and a phone (390x844) into
 * test-results/screenshots/. A class that is not theirs, and a visit without a
 * sign-in, get a sentence and a link instead.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { learnerRow, resetFromDashboard } from '../support/dashboard.ts';
import {
  checkTask,
  People,
  SCREENSHOTS,
  submitSignIn,
  terminalText,
  typeCommand,
  waitForTerminal,
} from '../support/browser.ts';
import {
  assertNothingLeft,
  newOwner,
  ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const LAB_TITLE = 'A named volume hides files baked into the image';
const FIRST_TASK = 'template-outside-mounts';
const PASSWORD = 'a long enough passphrase';
const USERNAME = `ivo-${randomBytes(3).toString('hex')}`;
const HOSTILE_NAME = '<img src=x onerror=window.__pwned=1>';
/** A file name a check will print (no slash: it is one name). */
const HOSTILE_FILE = '<img src=x onerror=window.__pwned=2>.tmpl';
const LAPTOP = { width: 1440, height: 900 };
const TABLET = { width: 1024, height: 768 };
const PHONE = { width: 390, height: 844 };

declare global {
  interface Window {
    __pwned?: unknown;
  }
}

const watchText = (page: Page) => page.evaluate(() => window.__drydockWatchText?.() ?? '');

/** Waits until the watched screen shows `text`; a failure says what the panel said and showed. */
async function waitForWatch(page: Page, text: string, timeout: number): Promise<void> {
  try {
    await page.waitForFunction(
      (wanted) => (window.__drydockWatchText?.() ?? '').includes(wanted),
      text,
      { timeout, polling: 100 },
    );
  } catch (error) {
    const panel = await page
      .getByTestId('watch-panel')
      .innerText()
      .catch(() => '?');
    const screen = await watchText(page).catch(() => '?');
    throw new Error(
      `the watched screen never showed ${text}; the panel: ${JSON.stringify(panel)}, the screen: ${JSON.stringify(screen.trimEnd())}`,
      { cause: error },
    );
  }
}

describe('the instructor’s live class dashboard', () => {
  const owner = newOwner('dashboard');
  let platform: TestPlatform;
  let people: People;
  let dashboard: Page;
  let dashboardUrl: string;
  let joinCode: string;
  let bob: Page;

  const newPage = (viewport: { width: number; height: number }) => people.page(viewport);
  const row = (name: string) => learnerRow(dashboard, name);

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/classes/live/index.html`), 'the site must be built first');
    platform = await startPlatform({ DRYDOCK_OWNER: owner }, { listen: true });
    await platform.app.accounts.users.add({
      username: USERNAME,
      role: 'instructor',
      displayName: 'Ivo Andrić',
      password: PASSWORD,
    });
    people = await People.launch(platform.url);
  });
  after(async () => {
    const left = joinCode && (await platform?.app.store.classes.classByCode(joinCode));
    if (left) await platform.app.store.classes.endClass(left.id, Date.now());
    await people?.close();
    await platform?.close();
    await assertNothingLeft(owner);
  });

  it('opens from the class on /classes/ and shows the class, nobody joined yet', async () => {
    dashboard = await newPage(LAPTOP);
    await dashboard.goto(`${platform.url}/classes/`);
    await dashboard.getByRole('link', { name: 'Sign in' }).click();
    await submitSignIn(dashboard, USERNAME, PASSWORD);
    await dashboard.waitForURL(`${platform.url}/classes/`);
    await dashboard.getByLabel('Name', { exact: true }).fill('Volumes, Thursday');
    await dashboard.getByLabel(LAB_TITLE).check();
    await dashboard.getByLabel('Learners expected').fill('2');
    await dashboard.getByRole('button', { name: 'Create the class' }).click();
    const card = dashboard.locator('.class-card').first();
    await card.waitFor();
    joinCode = (await card.locator('[data-join-code]').getAttribute('data-join-code'))!;

    await card.getByRole('link', { name: /Live dashboard/ }).click();
    await dashboard.waitForURL(/\/classes\/live\/\?id=/);
    dashboardUrl = dashboard.url();
    await dashboard.getByRole('heading', { name: 'Volumes, Thursday' }).waitFor();
    await dashboard.getByText('Nobody has joined yet').waitFor();
    await dashboard.getByText(/^Live · updated/).waitFor();
  });

  it('adds learners as they join, a name that is markup shown as text', async () => {
    const hostile = await newPage(PHONE);
    await hostile.goto(`${platform.url}/join/?code=${joinCode}`);
    await hostile.getByLabel('Your name').fill(HOSTILE_NAME);
    await hostile.getByRole('button', { name: 'Join the class' }).click();
    await hostile.getByRole('link', { name: LAB_TITLE }).waitFor();

    bob = await newPage(LAPTOP);
    await bob.goto(`${platform.url}/join/?code=${joinCode}`);
    await bob.getByLabel('Your name').fill('Bob');
    await bob.getByRole('button', { name: 'Join the class' }).click();
    await bob.getByRole('link', { name: LAB_TITLE }).waitFor();

    // New members come with the feed's refresh (every 5 s), no reload.
    await row('Bob').waitFor({ timeout: 15_000 });
    await row(HOSTILE_NAME).waitFor({ timeout: 15_000 });
    assert.equal(await row(HOSTILE_NAME).locator('.name').innerText(), HOSTILE_NAME);
    assert.equal(await dashboard.locator('[data-testid="class-grid"] img').count(), 0);
    assert.equal(await dashboard.evaluate(() => window.__pwned), undefined);
    assert.match(await row('Bob').innerText(), /Not started/);
    assert.equal(await row('Bob').locator('.cell[data-state="not-started"]').count(), 3);
  });

  it('shows a failing Check with its message, and where the class is stuck, without a reload', async (t) => {
    await bob.getByRole('link', { name: LAB_TITLE }).click();
    await bob.waitForURL(new RegExp(`/labs/${LAB}/$`));
    await bob.getByTestId('lab-start').click();
    await waitForTerminal(bob, /sandbox:~\/lab#/, 120_000);
    await typeCommand(bob, 'echo bob-was-here');
    await waitForTerminal(bob, /\nbob-was-here\n/);
    // What a learner looks at first; it makes the watched screen in the screenshots.
    await typeCommand(bob, 'docker compose ps');
    await waitForTerminal(bob, /harborlog-web-1/);
    await row('Bob').getByText('Connected').waitFor({ timeout: 15_000 });
    // A check that prints what the learner made: a second template, named as
    // markup, under the volume's path in the image. Its path is in the check's message.
    await typeCommand(
      bob,
      `printf 'berths = \${BERTHS}\\n' > '${HOSTILE_FILE}' && echo 'COPY ["${HOSTILE_FILE}", "/home/app/harborlog/"]' >> Dockerfile && docker compose up -d --build >/dev/null 2>&1; echo "rebuilt-$((40+2))"`,
    );
    await waitForTerminal(bob, /\nrebuilt-42\n/, 180_000);

    const output = await checkTask(bob, FIRST_TASK, 'failed');
    const checked = Date.now();
    const failing = row('Bob').locator('.cell[data-state="failing"] button').first();
    await failing.waitFor({ timeout: 5_000 });
    t.diagnostic(
      `Check verdict on the learner's page → failing cell on the dashboard: ${Date.now() - checked} ms`,
    );
    const message = (await failing.getAttribute('data-tip'))!;
    assert.ok(message.length > 10, 'the cell carries the check’s message');
    assert.ok(
      message.includes(`/home/app/harborlog/${HOSTILE_FILE}`),
      `the check printed the learner's file name: ${message}`,
    );
    assert.ok(
      output
        .replace(/\s+/g, ' ')
        .includes(message.split('\n')[0]!.replace(/\s+/g, ' ').slice(0, 40)),
      `the learner's page and the dashboard say the same: ${JSON.stringify({ output, message })}`,
    );

    // Hover, then keyboard: both show the message.
    const tip = dashboard.locator('[data-cell-tip]');
    await failing.hover();
    await tip.waitFor({ state: 'visible' });
    assert.equal(await tip.innerText(), message);
    // Shown as text on both pages: no element made of it, no script run.
    assert.equal(
      await dashboard.locator('[data-cell-tip] img, [data-testid="class-stuck"] img').count(),
      0,
    );
    assert.equal(await dashboard.evaluate(() => window.__pwned), undefined);
    assert.equal(await bob.evaluate(() => window.__pwned), undefined);
    await dashboard.mouse.move(0, 0);
    await tip.waitFor({ state: 'hidden' });
    await dashboard.locator('[data-testid="class-grid"]').focus();
    // Through the rows before it (another learner's More), as a keyboard user goes.
    for (let tabs = 0; tabs < 6; tabs++) {
      await dashboard.keyboard.press('Tab');
      if (await failing.evaluate((button) => button === document.activeElement)) break;
    }
    assert.equal(
      await failing.evaluate((button) => button === document.activeElement),
      true,
      'Tab reaches the failing cell',
    );
    await tip.waitFor({ state: 'visible' });
    assert.match((await failing.getAttribute('aria-label'))!, /failing after 1 check$/);

    const stuck = dashboard.getByTestId('class-stuck');
    await stuck.getByText('Most learners are stuck on').waitFor();
    const stuckText = await stuck.innerText();
    assert.match(
      stuckText,
      /The image ships its template where no mount hides it \(1 of 2 learners/,
    );
    assert.ok(stuckText.includes(message.split('\n')[0]!), 'the most common message');
    assert.match(
      await row('Bob').innerText(),
      /The image ships its template[\s\S]*for \d+ (s|min)/,
    );
    // One Check, each of the lab's tasks failing in it.
    assert.match(await row('Bob').locator('td.failed').innerText(), /^3$/);
    await dashboard.keyboard.press('Escape');
  });

  it('watches the learner’s terminal read-only, and the learner is told', async () => {
    await row('Bob').getByRole('button', { name: 'Watch Bob’s terminal' }).click();
    const panel = dashboard.getByTestId('watch-panel');
    await panel.waitFor();
    assert.match(await panel.innerText(), /Bob’s terminal[\s\S]*Read-only/i);
    // What Bob's screen already shows: the watched view starts from it. Only its
    // last lines are sure to be in view (in ci59 the view began at the output of
    // `docker compose ps`, and bob-was-here, typed before it, was not there).
    await waitForWatch(dashboard, 'rebuilt-42', 30_000);
    const banner = bob.getByTestId('lab-watched');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await banner.innerText(), /Ivo Andrić is watching your terminal/);

    // What the instructor types goes nowhere.
    await dashboard.getByTestId('watch-terminal').click();
    await dashboard.keyboard.type('echo typed-by-the-instructor');
    await dashboard.keyboard.press('Enter');
    // And what the learner types next still shows up, so the view is live.
    await typeCommand(bob, 'echo after-the-watch-began');
    await waitForWatch(dashboard, 'after-the-watch-began', 15_000);
    assert.doesNotMatch(await terminalText(bob), /typed-by-the-instructor/);
    assert.doesNotMatch(await watchText(dashboard), /typed-by-the-instructor/);
  });

  it('passes axe, and reads well on a laptop, a tablet and a phone', async () => {
    await settled(dashboard);
    assert.deepEqual(await violations(dashboard), [], 'the dashboard passes WCAG 2.1 AA');
    for (const [size, viewport] of [
      ['laptop', LAPTOP],
      ['tablet', TABLET],
      ['phone', PHONE],
    ] as const) {
      await dashboard.setViewportSize(viewport);
      await dashboard.evaluate(() => window.scrollTo(0, 0));
      await dashboard.waitForTimeout(300);
      await dashboard.screenshot({
        path: `${SCREENSHOTS}/class-dashboard-${size}.png`,
        fullPage: true,
      });
      // The grid scrolls inside its box; the page itself never scrolls sideways.
      const wider = await dashboard.evaluate(() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        return [
          `the page is ${document.documentElement.scrollWidth} px wide`,
          ...[...document.querySelectorAll<HTMLElement>('body *')]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .filter((e) => !e.closest('.grid-scroll, .watch-screen'))
            .slice(0, 8)
            .map(
              (e) =>
                `${e.tagName.toLowerCase()}.${e.className} (${e.getBoundingClientRect().right} px)`,
            ),
        ];
      });
      assert.deepEqual(wider, [], `no sideways scroll of the page at ${viewport.width} px`);
    }
    await dashboard.setViewportSize(LAPTOP);
    // Starlight follows the system's theme: the dark one holds up too.
    await dashboard.emulateMedia({ colorScheme: 'dark' });
    await dashboard.waitForTimeout(300);
    assert.deepEqual(await violations(dashboard), [], 'the dark dashboard passes WCAG 2.1 AA');
    await dashboard.screenshot({ path: `${SCREENSHOTS}/class-dashboard-dark-laptop.png` });
    await dashboard.emulateMedia({ colorScheme: 'light' });
  });

  it('stops watching on Close, and the learner’s banner goes', async () => {
    await dashboard.getByTestId('watch-panel').getByRole('button', { name: 'Close' }).click();
    await dashboard.getByTestId('watch-panel').waitFor({ state: 'hidden' });
    await bob.getByTestId('lab-watched').waitFor({ state: 'hidden', timeout: 10_000 });
    await dashboard.screenshot({ path: `${SCREENSHOTS}/class-dashboard-grid-laptop.png` });
    assert.equal(await dashboard.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(people.problems, []);
  });

  it('talks to the class, offers its results, and gives one learner more time, then a fresh lab', async () => {
    // A message to the whole class, shown on the learner's page as text.
    const form = dashboard.getByTestId('broadcast-form');
    await form
      .getByLabel('Message to the whole class')
      .fill('Stop at task 2: <b>we go through it</b>');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByText('Sent to 1 learner with a sandbox open.').waitFor({ timeout: 10_000 });
    const banner = bob.getByTestId('lab-broadcast');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await banner.innerText(), /Stop at task 2: <b>we go through it<\/b>/);

    // The results as a CSV file.
    const href = await dashboard.getByTestId('results-link').getAttribute('href');
    const csv = await dashboard.evaluate(async (url) => (await fetch(url!)).text(), href);
    assert.match(csv, /^learner,lab,task,status,/);
    assert.match(csv, /\nBob,/);

    // More time for Bob, then a reset: his page says why his sandbox went.
    const bobRow = row('Bob');
    await bobRow.locator('summary').click();
    await bobRow.getByRole('button', { name: 'Give 30 more minutes' }).click();
    await dashboard.getByTestId('act-status').getByText('Bob has 30 more minutes.').waitFor();
    await resetFromDashboard(dashboard, 'Bob', bob);
    assert.deepEqual(people.problems, []);
  });

  it('tells an instructor that a class is not theirs (an unknown id is refused alike)', async () => {
    await dashboard.goto(`${platform.url}/classes/live/?id=c_${'x'.repeat(12)}`);
    await dashboard.getByText('This is not one of your classes (or it does not exist).').waitFor();
    assert.equal(
      await dashboard.getByRole('link', { name: 'Your classes' }).getAttribute('href'),
      '/classes/',
    );
    assert.equal(await dashboard.locator('[data-dashboard]').isVisible(), false);
  });

  it('tells someone not signed in to sign in, with a way back', async () => {
    const stranger = await newPage(LAPTOP);
    await stranger.goto(dashboardUrl);
    const link = stranger.getByRole('link', { name: 'Sign in' }).last();
    await stranger.getByText('Sign in as this class’s instructor to follow it.').waitFor();
    const href = (await link.getAttribute('href'))!;
    assert.equal(
      href,
      `/sign-in/?next=${encodeURIComponent(new URL(dashboardUrl).pathname + new URL(dashboardUrl).search)}`,
    );
  });
});

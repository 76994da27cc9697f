/**
 * A live class in Chromium, end to end, against the real server and engine:
 * one instructor and five learners at once, each in a real sandbox of a warmed
 * class. Every learner joins, presses Start, checks the broken lab, fixes it
 * and checks again; the dashboard shows each verdict without a reload. The
 * instructor messages the class (every page shows it), watches one learner and
 * types there only after that learner accepts, until they take control back;
 * resets another learner's lab (their next Start is a fresh, broken sandbox);
 * downloads the results (the CSV holds what happened); and ends the class
 * (every learner's page says so, and no session of the class is left). The
 * lab's authors then see how it went, in figures that name nobody.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { openClass } from '../support/classes.ts';
import { learnerRow, resetFromDashboard } from '../support/dashboard.ts';
import {
  checkTask,
  People,
  SCREENSHOTS,
  terminalText,
  typeCommand,
  waitForTerminal,
} from '../support/browser.ts';
import {
  assertNothingLeft,
  newOwner,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';
import { signedInStaff } from '../support/staff.ts';

const LAB = 'dangling-images-cleanup';
const TASKS = ['old-builds-removed', 'releases-and-smoke-tests-kept', 'recent-and-tally-kept'];
const FIX = 'docker image prune --force --filter label=project=beacon --filter until=24h';
const NAMES = ['Ada', 'Ben', 'Cai', 'Dee', 'Eli'];
const PROMPT = /sandbox:~\/lab#/;
const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('a live class of five, from join to the end of the class', () => {
  const owner = newOwner('class-session');
  let platform: TestPlatform;
  let people: People;
  let classId: string;
  let joinCode: string;
  let dashboard: Page;
  const learners = new Map<string, Page>();

  const newPage = (viewport: { width: number; height: number }, cookie?: string) =>
    people.page(viewport, cookie);
  const row = (name: string) => learnerRow(dashboard, name);
  const learner = (name: string) => learners.get(name)!;
  const watchText = () => dashboard.evaluate(() => window.__drydockWatchText?.() ?? '');

  before(async () => {
    // Warm pools on, to the class's size: the class warms its first lab before it starts.
    // A store of its own: a server with warm pools warms for every current class in its
    // database, and the lane's shared store holds other suites' classes.
    platform = await startPlatform(
      { DRYDOCK_OWNER: owner, DRYDOCK_WARM_MAX: '5', DRYDOCK_DATABASE_URL: 'sqlite::memory:' },
      { listen: true },
    );
    const cookie = await signedInStaff(platform, 'instructor', 'Ivo Andrić');
    ({ id: classId, joinCode } = await openClass(
      platform,
      cookie,
      [LAB],
      'Cleaning up, Friday',
      5,
    ));
    // A warmed class, as an instructor has it by the time the room arrives.
    const deadline = Date.now() + 300_000;
    while ((platform.app.pool.status().find((p) => p.lab === LAB)?.warm ?? 0) < 5) {
      if (Date.now() > deadline) throw new Error(`the class's sandboxes of ${LAB} never got warm`);
      await new Promise((r) => setTimeout(r, 500));
    }
    people = await People.launch(platform.url);
    dashboard = await newPage(LAPTOP, cookie);
    await dashboard.goto(`${platform.url}/classes/live/?id=${classId}`);
    await dashboard.getByRole('heading', { name: 'Cleaning up, Friday' }).waitFor();
  });
  after(async () => {
    await people?.close();
    await platform?.close();
    await assertNothingLeft(owner);
  });

  it('lets five learners join and start at once, each in a sandbox of their own', async () => {
    await Promise.all(
      NAMES.map(async (name, i) => {
        const page = await newPage(i === 4 ? PHONE : LAPTOP);
        learners.set(name, page);
        await page.goto(`${platform.url}/join/?code=${joinCode}`);
        await page.getByLabel('Your name').fill(name);
        await page.getByRole('button', { name: 'Join the class' }).click();
        await page
          .getByRole('link', { name: /dangling/i })
          .first()
          .click();
        await page.waitForURL(new RegExp(`/labs/${LAB}/$`));
        await page.getByTestId('lab-start').click();
        await waitForTerminal(page, PROMPT, 180_000);
      }),
    );
    const live = platform.app.sessions.list().filter((s) => s.live);
    assert.equal(live.length, 5);
    assert.equal(new Set(live.map((s) => s.sandbox?.id)).size, 5, 'five sandboxes');
    for (const name of NAMES) await row(name).getByText('Connected').waitFor({ timeout: 15_000 });
  });

  it('shows each learner’s failing Check, then their fix passing, without a reload', async () => {
    await Promise.all(
      NAMES.map(async (name) => {
        const page = learner(name);
        await checkTask(page, TASKS[0]!, 'failed');
        await row(name).locator('.cell[data-state="failing"]').first().waitFor({ timeout: 5_000 });
      }),
    );
    await dashboard
      .getByTestId('class-stuck')
      .getByText(/5 of 5 learners/)
      .waitFor();

    await Promise.all(
      NAMES.map(async (name) => {
        const page = learner(name);
        await typeCommand(page, FIX);
        await waitForTerminal(page, /Total reclaimed space/, 60_000);
        await checkTask(page, TASKS[0]!, 'passed', 90_000);
        for (const task of TASKS)
          assert.equal(
            await page.getByTestId(`task-${task}`).getAttribute('data-state'),
            'passed',
            `${name}: ${task}`,
          );
      }),
    );
    for (const name of NAMES)
      await dashboard
        .waitForFunction(
          (learnerName) =>
            [...document.querySelectorAll('[data-testid="class-grid"] tbody tr')]
              .find((tr) => tr.querySelector('.name')?.textContent === learnerName)
              ?.querySelectorAll('.cell[data-state="passed"]').length === 3,
          name,
          { timeout: 5_000 },
        )
        .catch(async (error: Error) => {
          throw new Error(`${name}’s row: ${await row(name).innerText()}`, { cause: error });
        });
  });

  it('messages the whole class: every learner’s page shows it', async () => {
    const form = dashboard.getByTestId('broadcast-form');
    await form.getByLabel('Message to the whole class').fill('Well done: take a 10 minute break.');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByText('Sent to 5 learners with a sandbox open.').waitFor({ timeout: 10_000 });
    for (const name of NAMES) {
      const banner = learner(name).getByTestId('lab-broadcast');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await banner.innerText(), /take a 10 minute break/);
    }
  });

  it('types in a learner’s terminal only after they accept, until they take control back', async () => {
    const ada = learner('Ada');
    await row('Ada').getByRole('button', { name: 'Watch Ada’s terminal' }).click();
    const panel = dashboard.getByTestId('watch-panel');
    await typeCommand(ada, 'echo "ada-$((40+2))"');
    await dashboard.waitForFunction(
      () => (window.__drydockWatchText?.() ?? '').includes('ada-42'),
      undefined,
      { timeout: 30_000 },
    );
    const ask = panel.getByTestId('watch-takeover');
    await dashboard.waitForFunction(
      () =>
        !(document.querySelector('[data-testid="watch-takeover"]') as HTMLButtonElement).disabled,
    );

    // Before consent, keys go nowhere.
    await dashboard.getByTestId('watch-terminal').click();
    await dashboard.keyboard.type('echo typed-before-consent');
    await dashboard.keyboard.press('Enter');

    await ask.click();
    await panel.getByText('Waiting for Ada to accept…').waitFor({ timeout: 10_000 });
    const bar = ada.getByTestId('lab-takeover');
    await bar.getByText('Ivo Andrić asks to type in your terminal.').waitFor({ timeout: 10_000 });
    await ada.screenshot({ path: `${SCREENSHOTS}/lab-takeover-asked-1440.png` });
    assert.equal(await bar.getByRole('button', { name: 'Take back control' }).isVisible(), false);
    await settled(ada);
    assert.deepEqual(await violations(ada), [], 'the lab page asking passes WCAG 2.1 AA');
    assert.doesNotMatch(await terminalText(ada), /typed-before-consent/);

    await bar.getByRole('button', { name: 'Let them type' }).click();
    await panel.getByText(/You are typing in Ada’s terminal/).waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('[data-watch-badge]').innerText(), 'TYPING');
    await dashboard.getByTestId('watch-terminal').click();
    await dashboard.keyboard.type('echo "typed-by-ivo-$((40+2))"');
    await dashboard.keyboard.press('Enter');
    await waitForTerminal(ada, /\ntyped-by-ivo-42\n/, 15_000);
    await bar.getByText('Ivo Andrić is typing in your terminal.', { exact: false }).waitFor();
    await ada.screenshot({ path: `${SCREENSHOTS}/lab-takeover-typing-1440.png` });
    for (const name of ['Let them type', 'No, thanks'])
      assert.equal(await bar.getByRole('button', { name }).isVisible(), false, name);
    await dashboard.screenshot({ path: `${SCREENSHOTS}/class-dashboard-takeover-laptop.png` });

    await bar.getByRole('button', { name: 'Take back control' }).click();
    await panel.getByText('Ada took control back.', { exact: false }).waitFor({ timeout: 10_000 });
    await dashboard.getByTestId('watch-terminal').click();
    await dashboard.keyboard.type('echo typed-after-stop');
    await dashboard.keyboard.press('Enter');
    await typeCommand(ada, 'echo "still-ada-$((40+2))"');
    await waitForTerminal(ada, /\nstill-ada-42\n/);
    assert.doesNotMatch(await terminalText(ada), /typed-after-stop|typed-before-consent/);
    assert.doesNotMatch(await watchText(), /typed-after-stop/);
    await panel.getByRole('button', { name: 'Close' }).click();
    await ada.getByTestId('lab-watched').waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('asks a learner on a phone too, with the buttons in reach', async () => {
    const eli = learner('Eli');
    await row('Eli').getByRole('button', { name: 'Watch Eli’s terminal' }).click();
    const panel = dashboard.getByTestId('watch-panel');
    await dashboard.waitForFunction(
      () =>
        !(document.querySelector('[data-testid="watch-takeover"]') as HTMLButtonElement).disabled,
      undefined,
      { timeout: 30_000 },
    );
    await panel.getByTestId('watch-takeover').click();
    const bar = eli.getByTestId('lab-takeover');
    await bar.getByRole('button', { name: 'No, thanks' }).waitFor({ timeout: 10_000 });
    await bar.scrollIntoViewIfNeeded();
    await eli.screenshot({ path: `${SCREENSHOTS}/lab-takeover-asked-390.png` });
    await bar.getByRole('button', { name: 'No, thanks' }).click();
    await panel.getByText('Eli declined.', { exact: false }).waitFor({ timeout: 10_000 });
    await bar.waitFor({ state: 'hidden' });
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('resets one learner’s lab: their next Start is a fresh sandbox, broken again', async () => {
    const ben = learner('Ben');
    const bens = () =>
      platform.app.sessions
        .list()
        .filter((s) => s.live)
        .map((s) => s.id);
    const liveBefore = new Set(bens());
    await resetFromDashboard(dashboard, 'Ben', ben);
    await ben.getByTestId('lab-start').click();
    // The terminal still shows the old sandbox's prompt: wait for the new session to be ready.
    await ben.waitForFunction(
      () =>
        document.querySelector('[data-testid="lab-status"]')?.getAttribute('data-phase') ===
        'ready',
      undefined,
      { timeout: 120_000 },
    );
    await waitForTerminal(ben, PROMPT, 120_000);
    const fresh = bens().filter((id) => !liveBefore.has(id));
    assert.equal(fresh.length, 1, 'a new session');
    // The old builds are back: the fix was made in the sandbox that went.
    await checkTask(ben, TASKS[0]!, 'failed');
  });

  it('offers the results as a CSV that holds what happened', async () => {
    const href = await dashboard.getByTestId('results-link').getAttribute('href');
    const csv = await dashboard.evaluate(async (url) => (await fetch(url!)).text(), href);
    const lines = csv.trim().split('\n');
    assert.equal(
      lines[0],
      'learner,lab,task,status,first_passed_at,attempts,time_spent_seconds,last_message,solution_shown_at',
    );
    for (const name of NAMES) {
      const rows = lines.filter((line) => line.startsWith(`${name},${LAB},`));
      assert.equal(rows.length, 3, `${name}: one row per task`);
      for (const line of rows) {
        const [, , task, status, firstPassedAt, attempts] = line.split(',');
        assert.match(firstPassedAt!, /^\d{4}-\d\d-\d\dT/, `${name} passed ${task}`);
        assert.ok(Number(attempts) >= 2, `${name} checked ${task} twice or more: ${line}`);
        // Ben's fresh sandbox is broken again: its Check failed each task he had passed.
        assert.equal(status, name === 'Ben' ? 'failing' : 'passed', line);
      }
    }
  });

  it('ends the class: every learner’s page says so, and none of its sessions is left', async () => {
    await dashboard.goto(`${platform.url}/classes/`);
    const card = dashboard.locator('.class-card').filter({ hasText: 'Cleaning up, Friday' });
    dashboard.once('dialog', (dialog) => void dialog.accept());
    await card.getByRole('button', { name: 'End class' }).click();
    await dashboard.getByText(/Ended “Cleaning up, Friday”: 5 sandboxes removed/).waitFor({
      timeout: 30_000,
    });
    for (const name of NAMES)
      await learner(name).waitForFunction(
        () =>
          document.querySelector('[data-testid="lab-status"]')?.getAttribute('data-phase') ===
          'stopped',
        undefined,
        { timeout: 15_000 },
      );
    assert.equal(platform.app.sessions.list().filter((s) => s.live).length, 0);
    assert.deepEqual(people.problems, []);
  });

  it('shows the lab’s authors how the class got on, naming nobody', async () => {
    const figure = (scope: Page | ReturnType<Page['locator']>, label: string) =>
      scope
        .locator('dl > div')
        .filter({ has: dashboard.getByText(label, { exact: true }) })
        .locator('dd');
    await dashboard.goto(`${platform.url}/authors/`);
    const title = 'Clean up dangling images without breaking anything';
    const row = dashboard
      .locator('[data-index-table] tbody tr')
      .filter({ has: dashboard.getByRole('link', { name: title, exact: true }) });
    // Five learners' sessions and Ben's second one, after his reset; five finished the lab.
    await row.getByRole('cell').first().waitFor();
    assert.deepEqual(
      (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim()),
      ['6', '5', '83 %'],
    );
    await row.getByRole('link').click();
    await dashboard.waitForURL(/\/authors\/\?lab=dangling-images-cleanup/);
    await figure(dashboard, 'Started').getByText('6').waitFor();
    assert.match(await figure(dashboard, 'Completed').innerText(), /^5\s+83 %$/);
    const first = dashboard.locator(`[data-task="${TASKS[0]}"]`);
    assert.match(await figure(first, 'Reached').innerText(), /^6$/);
    assert.match(await figure(first, 'Passed').innerText(), /^5\s+83 %$/);
    // Ben's second sandbox ended with the class, its first task failing again.
    assert.match(await figure(first, 'Stopped here').innerText(), /^1$/);
    // Every learner's first Check failed it, and so did Ben's after the reset.
    assert.ok(Number(await figure(first, 'Failed checks').innerText()) >= 6);
    const failure = first.locator('.failures li').first();
    assert.match(await failure.innerText(), /in [56] sessions/);
    const page = await dashboard.content();
    for (const name of NAMES) assert.doesNotMatch(page, new RegExp(`>${name}<`));
    await dashboard.screenshot({ path: `${SCREENSHOTS}/authors-lab-laptop.png`, fullPage: true });
    await dashboard.setViewportSize(PHONE);
    await dashboard.screenshot({ path: `${SCREENSHOTS}/authors-lab-phone.png`, fullPage: true });
    assert.deepEqual(await violations(dashboard), []);
  });
});

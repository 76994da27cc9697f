/**
 * Who helps in a class, in Chromium against the real server (no sandbox: the
 * learner only joins). The instructor adds an assistant by username on the
 * live dashboard's Staff panel (a name no account has is refused with the
 * server's sentence); the assistant signs in, finds the class among the
 * classes they help in, and sees its dashboard without the instructor's
 * actions: no message form, no results link, no More menu, no Staff panel.
 * The instructor ticks "May watch terminals" and the assistant's page says so
 * without a reload; removed, the assistant's page says the class is not
 * theirs. Another assistant gets that sentence from the start. The Staff
 * panel passes axe and is screenshotted at 1440 and 390 px, and the
 * assistant's dashboard at 1440 px, into test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { violations } from '../support/accessibility.ts';
import { People, SCREENSHOTS, submitSignIn } from '../support/browser.ts';
import { joinClass, openClass } from '../support/classes.ts';
import {
  assertNothingLeft,
  newOwner,
  ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const PASSWORD = 'a long enough passphrase';
const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const NOT_YOURS = 'This is not one of your classes (or it does not exist).';

describe('the helpers of a class, on its dashboard', () => {
  const owner = newOwner('class-staff');
  const suffix = randomBytes(3).toString('hex');
  const ivo = { username: `ivo-${suffix}`, displayName: 'Ivo Andrić' };
  const asa = { username: `asa-${suffix}`, displayName: 'Asa Lindqvist' };
  const nils = { username: `nils-${suffix}`, displayName: 'Nils Other' };
  let platform: TestPlatform;
  let people: People;
  let classId: string;
  let dashboardUrl: string;
  let instructor: Page;
  let helper: Page;

  const newPage = (viewport: { width: number; height: number }) => people.page(viewport);
  /** Signs in on /sign-in/ as a person does, from a page that offers a Sign in link. */
  const signIn = async (page: Page, who: { username: string }) => {
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await submitSignIn(page, who.username, PASSWORD);
  };
  const staffPanel = () => instructor.getByTestId('staff-panel');
  const staffEntry = (username: string) => staffPanel().locator(`[data-username="${username}"]`);

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/classes/live/index.html`), 'the site must be built first');
    platform = await startPlatform({ DRYDOCK_OWNER: owner }, { listen: true });
    await platform.app.accounts.users.add({ ...ivo, role: 'instructor', password: PASSWORD });
    await platform.app.accounts.users.add({ ...asa, role: 'assistant', password: PASSWORD });
    await platform.app.accounts.users.add({ ...nils, role: 'assistant', password: PASSWORD });
    people = await People.launch(platform.url);

    instructor = await newPage(LAPTOP);
    await instructor.goto(`${platform.url}/classes/`);
    await signIn(instructor, ivo);
    await instructor.waitForURL(`${platform.url}/classes/`);
    const cookie = (await instructor.context().cookies())
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const made = await openClass(platform, cookie, [LAB], 'Volumes, Thursday');
    classId = made.id;
    await joinClass(platform, made.joinCode, `class-staff-${suffix}-learner`, 'Lea');
    dashboardUrl = `${platform.url}/classes/live/?id=${classId}`;
  });
  after(async () => {
    if (classId) await platform?.app.store.classes.endClass(classId, Date.now());
    await people?.close();
    await platform?.close();
    await assertNothingLeft(owner);
  });

  it('lets the instructor add an assistant by username, refusing a name no account has', async () => {
    await instructor.goto(dashboardUrl);
    await instructor.getByRole('heading', { name: 'Volumes, Thursday' }).waitFor();
    await staffPanel().getByText('Nobody helps in this class yet.').waitFor();
    // The instructor's own tools are there.
    await instructor.getByTestId('broadcast-form').waitFor();
    assert.equal(await instructor.getByTestId('role-note').isVisible(), false);

    const username = staffPanel().getByLabel('Add by username');
    await username.fill('nobody-here');
    await staffPanel().getByRole('button', { name: 'Add' }).click();
    await staffPanel()
      .getByText(/There is no staff account called nobody-here\./)
      .waitFor();
    assert.equal(await username.getAttribute('aria-invalid'), 'true');

    await username.fill(asa.username.toUpperCase());
    await staffPanel().getByRole('button', { name: 'Add' }).click();
    await staffEntry(asa.username).waitFor();
    await staffPanel().getByText(`${asa.displayName} helps in this class.`).waitFor();
    assert.match(
      await staffEntry(asa.username).innerText(),
      new RegExp(`${asa.username} · assistant`),
    );
    assert.equal(
      await staffEntry(asa.username).getByRole('checkbox').isChecked(),
      false,
      'watching is not granted unless ticked',
    );
    assert.equal(await username.inputValue(), '', 'the form is ready for the next one');
  });

  it('shows the Staff panel legibly and accessibly on a laptop and a phone', async () => {
    assert.deepEqual(await violations(instructor), [], 'the dashboard passes WCAG 2.1 AA');
    await staffPanel().screenshot({ path: `${SCREENSHOTS}/class-staff-panel-laptop.png` });
    await instructor.setViewportSize(PHONE);
    await instructor.waitForTimeout(200);
    const wider = await instructor.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(wider, 0, 'no sideways scroll of the page at 390 px');
    await staffPanel().screenshot({ path: `${SCREENSHOTS}/class-staff-panel-phone.png` });
    await instructor.setViewportSize(LAPTOP);
  });

  it('lets the assistant sign in and follow the class read-only, without the instructor’s actions', async () => {
    helper = await newPage(LAPTOP);
    await helper.goto(dashboardUrl);
    await signIn(helper, asa);
    await helper.waitForURL(dashboardUrl);
    await helper.getByRole('heading', { name: 'Volumes, Thursday' }).waitFor();
    await helper
      .getByTestId('role-note')
      .getByText(
        'You help in this class: you follow it read-only. Watching terminals is up to its instructor.',
      )
      .waitFor();
    const grid = helper.getByTestId('class-grid');
    await grid.locator('tbody tr', { hasText: 'Lea' }).waitFor();
    assert.equal(await helper.getByTestId('broadcast-form').isVisible(), false);
    assert.equal(await helper.getByTestId('results-link').isVisible(), false);
    assert.equal(await helper.getByTestId('staff-panel').isVisible(), false);
    assert.equal(await grid.locator('summary', { hasText: 'More' }).count(), 0);
    await helper.screenshot({ path: `${SCREENSHOTS}/class-dashboard-assistant-laptop.png` });
    // The instructor's row has the menu the helper's lacks.
    assert.equal(
      await instructor.getByTestId('class-grid').locator('summary', { hasText: 'More' }).count(),
      1,
    );

    // Among the classes they help in; ending it is not theirs to offer.
    const list = await newPage(LAPTOP);
    await list.context().addCookies(await helper.context().cookies());
    await list.goto(`${platform.url}/classes/`);
    await list.getByRole('heading', { name: 'Classes you help in' }).waitFor();
    const card = list.locator('.class-card', { hasText: 'Volumes, Thursday' });
    await card.getByRole('link', { name: /Live dashboard/ }).waitFor();
    assert.equal(await card.getByRole('button', { name: 'End class' }).count(), 0);
    assert.equal(await list.getByRole('heading', { name: 'New class' }).isVisible(), false);
  });

  it('tells the assistant, without a reload, once the instructor lets them watch', async () => {
    await staffEntry(asa.username).getByRole('checkbox').check();
    await staffPanel().getByText(`${asa.displayName} may watch terminals.`).waitFor();
    // The feed asks again with its next picture (at most 5 s).
    await helper
      .getByTestId('role-note')
      .getByText(
        'You help in this class: you follow it read-only, and may watch a learner’s terminal.',
      )
      .waitFor({ timeout: 10_000 });
  });

  it('tells another assistant the class is not theirs', async () => {
    const other = await newPage(LAPTOP);
    await other.goto(dashboardUrl);
    await signIn(other, nils);
    await other.waitForURL(dashboardUrl);
    await other.getByText(NOT_YOURS).waitFor();
    assert.equal(await other.locator('[data-dashboard]').isVisible(), false);
  });

  it('closes the dashboard to an assistant the instructor removed', async () => {
    await staffEntry(asa.username)
      .getByRole('button', { name: `Remove ${asa.displayName}` })
      .click();
    await staffPanel().getByText(`${asa.displayName} no longer helps in this class.`).waitFor();
    await staffPanel().getByText('Nobody helps in this class yet.').waitFor();
    await helper.getByText(NOT_YOURS).waitFor({ timeout: 10_000 });
    assert.deepEqual(people.problems, []);
  });
});

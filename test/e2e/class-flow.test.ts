/**
 * A class, in Chromium against the real server and engine: an instructor signs
 * in and creates a class on /classes/; two learners, each in a browser of their
 * own, join it (one by the link, one by typing the code) with display names, one
 * of them markup that must stay text; each starts the class's first lab and gets
 * a prompt in a real sandbox; the instructor ends the class and both sandboxes
 * are gone. Both pages pass axe and are screenshotted on a laptop (1280x800)
 * and a phone (390x844) into test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { settled, violations } from '../support/accessibility.ts';
import { People, SCREENSHOTS, submitSignIn, waitForTerminal } from '../support/browser.ts';
import {
  assertNothingLeft,
  leftovers,
  newOwner,
  ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const LAB_TITLE = 'A named volume hides files baked into the image';
const PASSWORD = 'a long enough passphrase';
/** Of this run: test servers share one store. */
const USERNAME = `grace-${randomBytes(3).toString('hex')}`;
const HOSTILE_NAME = '<img src=x onerror="__owned=1">Zoë';
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function shoot(page: Page, name: string, viewport = page.viewportSize()!): Promise<void> {
  const was = page.viewportSize()!;
  await page.setViewportSize(viewport);
  await settled(page);
  const size = viewport.width === PHONE.width ? 'phone' : 'laptop';
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-${size}.png`, fullPage: true });
  await page.setViewportSize(was);
}

describe('running a class', () => {
  const owner = newOwner('class');
  let platform: TestPlatform;
  let people: People;
  let instructor: Page;
  let joinLink: string;
  let joinCode: string;
  const learners: Page[] = [];

  const newPage = (viewport: { width: number; height: number }) => people.page(viewport);

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/join/index.html`), 'the site must be built first');
    platform = await startPlatform({ DRYDOCK_OWNER: owner }, { listen: true });
    await platform.app.accounts.users.add({
      username: USERNAME,
      role: 'instructor',
      displayName: 'Grace Hopper',
      password: PASSWORD,
    });
    people = await People.launch(platform.url);
  });
  after(async () => {
    // A class a failed run left open would reserve warm sandboxes in the next test's server.
    const left = joinCode && (await platform?.app.store.classes.classByCode(joinCode));
    if (left) await platform.app.store.classes.endClass(left.id, Date.now());
    await people?.close();
    await platform?.close();
    await assertNothingLeft(owner);
  });

  it('lets an instructor sign in and create a class, which shows its code and link', async () => {
    instructor = await newPage(LAPTOP);
    instructor.on('dialog', (dialog) => void dialog.accept());
    await instructor.goto(`${platform.url}/classes/`);
    await instructor.getByRole('link', { name: 'Sign in' }).click();
    await submitSignIn(instructor, USERNAME, PASSWORD);
    await instructor.waitForURL(`${platform.url}/classes/`);

    await instructor.getByLabel('Name', { exact: true }).fill('Friday Docker workshop');
    await instructor.getByLabel(LAB_TITLE).check();
    await instructor.getByLabel('Learners expected').fill('2');
    await instructor.getByRole('button', { name: 'Create the class' }).click();
    const card = instructor.locator('.class-card').first();
    await card.waitFor();
    assert.match(await card.innerText(), /Friday Docker workshop/);
    joinCode = (await card.locator('[data-join-code]').getAttribute('data-join-code'))!;
    joinLink = await card.locator('.join-link').innerText();
    assert.equal(joinLink, `${platform.url}/join/?code=${joinCode}`);
    assert.deepEqual(await violations(instructor), [], 'the classes page passes WCAG 2.1 AA');
  });

  it('lets one learner join by the link and another by typing the code, with their names as text', async () => {
    const byLink = await newPage(PHONE);
    await byLink.goto(joinLink);
    await byLink.getByRole('heading', { name: 'Join “Friday Docker workshop”' }).waitFor();
    assert.deepEqual(await violations(byLink), [], 'the join page passes WCAG 2.1 AA');
    await shoot(byLink, 'class-join-by-link');
    await byLink.getByLabel('Your name').fill(HOSTILE_NAME);
    await byLink.getByRole('button', { name: 'Join the class' }).click();
    await byLink.getByRole('link', { name: LAB_TITLE }).waitFor();
    assert.equal(await byLink.locator('[data-joined-as]').innerText(), HOSTILE_NAME);
    assert.equal(await byLink.locator('.joined img').count(), 0, 'the name stayed text');
    assert.equal(await byLink.evaluate(() => '__owned' in window), false);
    assert.deepEqual(await violations(byLink), [], 'the joined class passes WCAG 2.1 AA');
    await shoot(byLink, 'class-joined');
    await shoot(byLink, 'class-joined', LAPTOP);

    const byCode = await newPage(LAPTOP);
    await byCode.goto(`${platform.url}/join/`);
    await shoot(byCode, 'class-join-by-code');
    await shoot(byCode, 'class-join-by-code', PHONE);
    // Typed the way people do: lower case, no dash.
    await byCode.getByLabel('Class code').fill(joinCode.toLowerCase());
    await byCode.getByLabel('Your name').fill('Bob');
    await byCode.keyboard.press('Enter');
    await byCode.getByRole('link', { name: LAB_TITLE }).waitFor();
    // A reload (or a closed tab) finds the class again: the membership is the server's.
    await byCode.goto(`${platform.url}/join/`);
    await byCode.getByRole('link', { name: LAB_TITLE }).waitFor();
    assert.equal(await byCode.locator('[data-joined-as]').innerText(), 'Bob');
    learners.push(byLink, byCode);

    const roster = (await platform.app.store.classes.classByCode(joinCode))!;
    const members = await platform.app.store.classes.members(roster.id);
    assert.deepEqual(members.map((m) => m.displayName).sort(), [HOSTILE_NAME, 'Bob'].sort());
    await instructor.reload();
    await instructor.locator('.class-card').first().filter({ hasText: '2 of 2' }).waitFor();
    await shoot(instructor, 'classes');
    await shoot(instructor, 'classes', PHONE);
  });

  it('gives each learner a prompt in a real sandbox of the first lab', async () => {
    await Promise.all(
      learners.map(async (page) => {
        await page.getByRole('link', { name: LAB_TITLE }).click();
        await page.waitForURL(new RegExp(`/labs/${LAB}/$`));
        await page.getByTestId('lab-start').click();
        await waitForTerminal(page, /sandbox:~\/lab#/, 120_000);
      }),
    );
    const live = platform.sessions.list().filter((s) => s.live);
    assert.equal(live.length, 2);
    assert.equal((await leftovers(owner)).length, 2, 'one sandbox each');
  });

  it('ends the class from the page: both sandboxes are removed', async () => {
    const card = instructor.locator('.class-card').first();
    await card.getByRole('button', { name: 'End class' }).click();
    await instructor.getByRole('status').filter({ hasText: '2 sandboxes removed' }).waitFor();
    await card.filter({ hasText: 'Ended' }).waitFor();
    for (const session of platform.sessions.list()) {
      assert.equal(session.state, 'ended');
      assert.equal(session.endReason, 'class');
    }
    assert.deepEqual(await leftovers(owner), [], 'no sandbox is left');
    await learners[0]!.getByText('Your instructor ended the class').first().waitFor();
    assert.deepEqual(people.problems, []);
  });
});

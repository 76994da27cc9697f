/**
 * An instructor signs in with their organisation's login, in Chromium: the
 * sign-in page offers "Sign in with Example login" beside the password form;
 * the button leads to a real OpenID provider (test/support/oidc-provider.ts),
 * whose login form is filled in; the provider sends the browser back, signed
 * in with the role the person's groups map to, to the page they were going
 * to; Sign out ends it. A person in no mapped group comes back to the sign-in
 * page and is told why. The real server with no engine, listening on the port
 * the provider was told to send people back to. Screenshots on a laptop and a
 * phone land in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { settled, violations } from '../support/accessibility.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';
import { NO_ENGINE } from '../support/fake-sandbox.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { ROOT } from '../support/platform.ts';

/** A port free now, for a server whose address the provider must know before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function logInAtProvider(page: Page, username: string, password: string) {
  await page.getByRole('heading', { name: 'Example login' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('signing in with an OpenID provider', () => {
  let provider: TestProvider;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync(`${ROOT}dist/sign-in/index.html`), 'the site must be built first');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    provider = await startTestProvider([`${url}/api/auth/oidc/callback`]);
    app = await buildApp(
      loadConfig({
        DRYDOCK_ROOT: ROOT,
        DOCKER_HOST: NO_ENGINE,
        DRYDOCK_LOG_LEVEL: 'silent',
        DRYDOCK_DATABASE_URL: 'sqlite::memory:',
        ...provider.env(url),
      }),
    );
    await app.listen({ host: '127.0.0.1', port });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await provider?.close();
  });

  for (const viewport of [
    { name: 'laptop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`signs in at the provider, comes back with the mapped role, and signs out (${viewport.name})`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));

      await page.goto(`${url}/sign-in/?next=/labs/`);
      const start = page.getByRole('link', { name: 'Sign in with Example login' });
      await start.waitFor();
      await settled(page);
      assert.ok(await page.getByLabel('Password').isVisible(), 'the password form stays');
      assert.deepEqual(await violations(page), [], 'the sign-in page passes WCAG 2.1 AA');
      await page.screenshot({
        path: `${SCREENSHOTS}/sign-in-oidc-${viewport.name}.png`,
        fullPage: true,
      });

      await start.click();
      await logInAtProvider(page, 'ada', 'ada-password');
      await page.waitForURL(`${url}/labs/`, { timeout: 15_000 }).catch(async (e: Error) => {
        throw new Error(`${e.message} at ${page.url()}: ${(await page.content()).slice(0, 1500)}`);
      });
      const cookie = (await context.cookies(url)).find((c) => c.name === 'drydock-sign-in');
      assert.equal(cookie?.httpOnly, true);
      assert.equal(
        (await context.cookies(url)).some((c) => c.name === 'drydock-oidc'),
        false,
        'the flow cookie is gone',
      );

      const indicator = page.locator('[data-signed-in-indicator]:visible');
      await indicator.waitFor();
      // ada is in trainers (instructor) and drydock-admins (admin): the higher role.
      assert.match(
        await indicator.innerText(),
        viewport.name === 'phone' ? /Sign out$/ : /Ada Lovelace\s+Admin/,
      );
      assert.match((await indicator.textContent()) ?? '', /Signed in as\s*Ada Lovelace/);
      const me = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
      assert.equal(me.method, 'oidc');
      assert.equal(me.user.role, 'admin');
      await page.screenshot({ path: `${SCREENSHOTS}/signed-in-oidc-${viewport.name}.png` });

      await indicator.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${url}/sign-in/?signed-out`);
      await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();
      const after = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
      assert.deepEqual(after, { signedIn: false });
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  it('tells a person whose groups give no role why they are not signed in', async () => {
    for (const viewport of [
      { name: 'laptop', width: 1280, height: 800 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${url}/sign-in/`);
      await page.getByRole('link', { name: 'Sign in with Example login' }).click();
      await logInAtProvider(page, 'mallory', 'mallory-password');
      await page.waitForURL(`${url}/sign-in/?oidc-error=NO_ROLE`);
      const alert = page.getByRole('alert').filter({ hasText: 'none of your groups' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /DRYDOCK_OIDC_ROLES/);
      await page.getByRole('link', { name: 'Sign in with Example login' }).waitFor();
      assert.equal(
        (await context.cookies(url)).some((c) => c.name === 'drydock-sign-in'),
        false,
        'nobody is signed in',
      );
      await settled(page);
      assert.deepEqual(await violations(page), [], 'the refusal passes WCAG 2.1 AA too');
      await page.screenshot({
        path: `${SCREENSHOTS}/sign-in-oidc-refused-${viewport.name}.png`,
        fullPage: true,
      });
      await context.close();
    }
  });
});

/**
 * Drydock behind the nginx recipe in deploy/nginx/, as an operator runs it:
 * Debian's nginx terminating TLS in front of the real server and engine, with
 * DRYDOCK_PUBLIC_URL and DRYDOCK_TRUST_PROXY set as docs/reverse-proxy.md says.
 * A learner in Chromium opens the lab through the proxy, presses Start, types,
 * presses Check. And a page from an address the server does not accept gets a
 * final, readable refusal instead of a reconnect loop.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkTask, launchChromium, SCREENSHOTS, waitForTerminal } from '../support/browser.ts';
import { freePort, startNginx, type Nginx } from '../support/nginx.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';
const STORAGE_KEY = `drydock:session:${LAB}`;

/** Status and Location of a plain-http GET. */
function plainGet(port: number, path: string): Promise<{ status: number; location: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: 'localhost' } },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? '') });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('a learner behind the nginx recipe', () => {
  let platform: TestPlatform;
  let nginx: Nginx;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let publicUrl: string;
  const sockets: string[] = [];

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    const httpsPort = await freePort();
    const httpPort = await freePort();
    publicUrl = `https://localhost:${httpsPort}`;
    platform = await startPlatform(
      { DRYDOCK_PUBLIC_URL: publicUrl, DRYDOCK_TRUST_PROXY: '127.0.0.1' },
      { listen: true },
    );
    nginx = await startNginx(new URL(platform.url).host, { httpsPort, httpPort });
    assert.equal(nginx.url, publicUrl);
    browser = await launchChromium();
    // The test's certificate is self-signed: this browser trusts it as an operator's real one.
    context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('websocket', (ws) => sockets.push(ws.url()));
  });
  after(async () => {
    await browser?.close();
    await nginx?.[Symbol.asyncDispose]();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  it('redirects plain http to https', async () => {
    const { status, location } = await plainGet(nginx.httpPort, `/labs/${LAB}/`);
    assert.equal(status, 301);
    assert.equal(location, `https://localhost/labs/${LAB}/`);
  });

  it('starts a sandbox through the proxy and shows a prompt', async () => {
    await page.goto(`${publicUrl}/labs/${LAB}/`);
    await page.getByTestId('lab-start').click();
    await waitForTerminal(page, /sandbox:~\/lab#/, 120_000);
    assert.ok(
      sockets.length > 0 && sockets.every((url) => url.startsWith(`wss://localhost:`)),
      `the terminal went through the proxy over TLS: ${sockets.join(', ')}`,
    );
  });

  it('carries typed commands and their output both ways', async () => {
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.type('echo "through nginx: $((6 * 7))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /through nginx: 42/);
    await page.screenshot({ path: `${SCREENSHOTS}/reverse-proxy-lab.png` });
  });

  it('runs Check through the proxy and shows why a task still fails', async () => {
    const output = await checkTask(page, 'service-runs-new-config', 'failed');
    assert.match(output, /restarting|exited/i);
  });

  it('keeps the session token out of nginx’s access log, which saw the learner’s requests', async () => {
    const token = await page.evaluate(
      (key) => (JSON.parse(sessionStorage.getItem(key) ?? '{}') as { token?: string }).token,
      STORAGE_KEY,
    );
    assert.ok(token, 'the page keeps its session token');
    // Session ids are base64url: letters, digits, _ and -.
    const checked = /"POST \/api\/sessions\/s_[\w-]+\/check HTTP\/[\d.]+" 200/;
    const log = nginx.accessLog();
    assert.match(log, new RegExp(`"GET /labs/${LAB}/ HTTP/[\\d.]+" 200`));
    const apiLines = log
      .split('\n')
      .filter((line) => line.includes('/api/'))
      .join('\n');
    assert.match(log, checked, `no Check in nginx's access log; its API lines:\n${apiLines}`);
    assert.ok(!log.includes(token), 'the token appears in the access log');
  });

  it('shows a final refusal, not a reconnect loop, to a page from an address the server does not accept', async () => {
    // The same session, opened from the server's own address instead of DRYDOCK_PUBLIC_URL,
    // as a learner would who was given the internal address.
    const saved = await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY);
    assert.ok(saved, 'the page at the public URL keeps its session');
    const direct = await context.newPage();
    const directSockets: string[] = [];
    direct.on('websocket', (ws) => directSockets.push(ws.url()));
    await direct.addInitScript(
      ({ key, value }) => {
        if (location.protocol === 'http:') sessionStorage.setItem(key, value);
      },
      { key: STORAGE_KEY, value: saved },
    );
    await direct.goto(`${platform.url}/labs/${LAB}/`);
    const status = direct.getByTestId('lab-status');
    await direct.waitForFunction(
      () =>
        document.querySelector('[data-testid="lab-status"]')?.getAttribute('data-phase') ===
        'error',
      undefined,
      { timeout: 30_000 },
    );
    const text = await status.innerText();
    assert.match(text, /The terminal connection was refused/);
    assert.match(text, /DRYDOCK_PUBLIC_URL/);
    assert.ok(text.includes(new URL(platform.url).origin), `names the page's address: ${text}`);
    // A dropped connection is retried after 0.25 s and 1 s; a refusal never is.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(directSockets.length, 1, `one attempt only: ${directSockets.join(', ')}`);
    assert.equal(await status.getAttribute('data-phase'), 'error');
    assert.doesNotMatch(await status.innerText(), /Reconnecting/);
    await direct.screenshot({ path: `${SCREENSHOTS}/reverse-proxy-refused-origin.png` });
    await direct.close();
  });

  it('leaves the session working in the page at the public URL, and Stop removes it', async () => {
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.type('echo "still here: $((40 + 2))"');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /still here: 42/);
    await page.getByTestId('lab-stop').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="lab-status"]')?.getAttribute('data-phase') ===
        'stopped',
    );
  });
});

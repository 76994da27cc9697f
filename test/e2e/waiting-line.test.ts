/**
 * A learner who finds every sandbox busy sees their place in line on the lab
 * page, and the page starts their sandbox by itself once one frees up.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { launchChromium } from '../support/browser.ts';
import { assertNothingLeft, ROOT, startPlatform } from '../support/platform.ts';

const LAB = 'named-volume-masks-image';

describe('the waiting line in the browser', () => {
  it('shows the learner their place in line and starts their sandbox when the other one stops', async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    const platform = await startPlatform({ DRYDOCK_MAX_SANDBOXES: '1' }, { listen: true });
    const browser = await launchChromium();
    try {
      // Someone else (another address) holds the only sandbox.
      const other = await platform.app.inject({
        method: 'POST',
        url: '/api/sessions',
        remoteAddress: '192.0.2.9',
        payload: { lab: LAB },
      });
      assert.equal(other.statusCode, 201);
      const { id, token } = other.json<{ id: string; token: string }>();

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${platform.url}/labs/${LAB}/`);
      await page.getByTestId('lab-start').click();
      await page
        .getByTestId('lab-status')
        .getByText('All sandboxes are busy — you are number 1 in line')
        .waitFor({ timeout: 30_000 });

      await platform.sessions.end(platform.sessions.get(id, token), 'stopped');
      // A hang guard, not a speed check: the page retries within 15 s, then a whole
      // sandbox starts while `npm test`'s other lanes share the machine's two cores.
      await page
        .waitForFunction(
          () => /sandbox:~\/lab#/.test(window.__drydockTerminalText?.() ?? ''),
          undefined,
          { timeout: 240_000, polling: 200 },
        )
        .catch(async (error: Error) => {
          // What the learner saw and what the server held explain a hang.
          const status = await page.getByTestId('lab-status').innerText();
          const sessions = platform.sessions
            .list()
            .map(
              (s) => `${s.id} ${s.state} ${JSON.stringify(s.message)} ${JSON.stringify(s.phases)}`,
            );
          throw new Error(
            `${error.message}\nthe page said: ${status}\nthe server's sessions: ${sessions.join('; ')}; waiting in line: ${platform.app.admission.line.length}`,
          );
        });
      await page.getByTestId('lab-stop').click();
      await page.getByTestId('lab-status').getByText('Stopped').waitFor({ timeout: 30_000 });
    } finally {
      await browser.close();
      await platform.close();
    }
    await assertNothingLeft(platform.owner);
  });
});

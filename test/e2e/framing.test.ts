/**
 * Framing only by the site itself, as a browser enforces it: a page on
 * another origin that puts Drydock in an iframe (clickjacking: a learner's
 * Stop or Check under someone else's buttons) gets an empty, blocked frame,
 * while the same page frames an ordinary document just fine. Real Chromium,
 * the real server with the built site; the other origin is a plain Node
 * HTTP server on another port.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { serveSiteWithoutEngine } from '../support/platform.ts';

describe('framing', () => {
  let site: Awaited<ReturnType<typeof serveSiteWithoutEngine>>;
  let other: Server;
  let otherUrl: string;
  let browser: Browser;

  before(async () => {
    site = await serveSiteWithoutEngine();
    other = createServer((request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      if (request.url === '/plain') return void response.end('<p id="plain">framed fine</p>');
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      response.end(`<!doctype html><title>elsewhere</title><iframe src="${target}"></iframe>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    // "localhost" and "127.0.0.1" are different origins for the browser.
    otherUrl = `http://localhost:${(other.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    other?.close();
    await site?.app.close();
  });

  /** The text the framed document shows, as seen from inside the frame. */
  async function framedText(src: string): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(`${otherUrl}/?src=${encodeURIComponent(src)}`);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the page has its iframe');
      await frame.waitForLoadState();
      return await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    } finally {
      await page.close();
    }
  }

  it('frames an ordinary page from another origin (the test page works)', async () => {
    assert.match(await framedText(`${otherUrl}/plain`), /framed fine/);
  });

  it('refuses to show the site inside another origin’s frame', async () => {
    for (const path of ['/', '/labs/container-exits-immediately/']) {
      const text = await framedText(`${site.url}${path}`);
      assert.doesNotMatch(text, /Drydock|lab/i, `${path} was shown inside a foreign frame`);
    }
  });
});

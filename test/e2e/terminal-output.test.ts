/**
 * What a learner sees in the browser terminal when much output comes, and when
 * the page reloads or the lab server restarts in the middle of it: Chromium on
 * the lab page, the real server as a process of its own (so that it can be
 * killed and started again on the same port) and a real sandbox. Every line
 * the shell prints must be in xterm.js's buffer, once and in order.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  terminalBuffer,
  terminalText,
  typeCommand,
  waitForTerminal,
  startLab,
} from '../support/browser.ts';
import { freePort } from '../support/network.ts';
import { assertNothingLeft, newOwner, ROOT } from '../support/platform.ts';
import { type ServerProcess, spawnServer } from '../support/server-process.ts';

const LAB = 'named-volume-masks-image';
const PROMPT = /sandbox:~\/lab#/;
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The N of every line that is exactly "PREFIX-N", in buffer order. */
function numbered(lines: string[], prefix: string): number[] {
  const line = new RegExp(`^${prefix}-(\\d+)$`);
  return lines.flatMap((text) => {
    const match = line.exec(text);
    return match ? [Number(match[1])] : [];
  });
}

const waitForBuffer = (page: Page, buffer: 'normal' | 'alternate') =>
  page.waitForFunction((want) => window.__drydockTerminalBuffer?.().buffer === want, buffer, {
    timeout: 30_000,
  });

describe('the browser terminal loses no output', () => {
  const owner = newOwner();
  let env: Record<string, string>;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(
      existsSync(`${ROOT}dist/index.html`),
      'the site must be built first (npm test does it)',
    );
    // A fixed port: the page reconnects to the same address after the server restarts.
    env = {
      DRYDOCK_OWNER: owner,
      DRYDOCK_PORT: String(await freePort()),
      DRYDOCK_SHUTDOWN: 'remove',
    };
    server = await spawnServer(env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await startLab(page, server.url, LAB, PROMPT);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await assertNothingLeft(owner);
  });

  it('keeps all 10,000 lines of `seq 1 10000` in its scrollback, in order', async () => {
    await typeCommand(page, 'seq 1 10000; echo "seq-$((40+2))-done"');
    await waitForTerminal(page, /\nseq-42-done\n/, 60_000);
    const { lines } = await terminalBuffer(page);
    const command = lines.findLastIndex((line) => line.includes('seq 1 10000;'));
    assert.ok(command >= 0, 'the command line is in the buffer');
    assert.deepEqual(lines.slice(command + 1, command + 10_001), range(10_000).map(String));
    assert.equal(lines[command + 10_001], 'seq-42-done');
  });

  it('shows a stream of 100 lines a second line by line as it comes, and keeps every line', async () => {
    await typeCommand(
      page,
      'for i in $(seq 1 300); do echo "tick-$i"; sleep 0.01; done; echo "tick-$((40+2))-done"',
    );
    // Sampled while it runs: the newest line on screen moves on many times.
    const newest = new Set<number>();
    const deadline = Date.now() + 60_000;
    while (!newest.has(300) && Date.now() < deadline) {
      const ticks = numbered((await terminalText(page)).split('\n'), 'tick');
      if (ticks.length) newest.add(ticks.at(-1)!);
      await sleep(50);
    }
    assert.ok(newest.size >= 10, `the screen moved on only ${newest.size} times`);
    await waitForTerminal(page, /\ntick-42-done\n/);
    assert.deepEqual(numbered((await terminalBuffer(page)).lines, 'tick'), range(300));
  });

  it('after a reload in the middle of a stream, shows the earlier lines (1,000+ of scrollback) again and the rest as they come', async () => {
    await typeCommand(
      page,
      'for i in $(seq 1 400); do echo "slow-$i"; sleep 0.02; done; echo "slow-$((40+2))-done"',
    );
    await waitForTerminal(page, /\nslow-1\d\d\n/);
    await page.reload();
    await waitForTerminal(page, /\nslow-42-done\n/, 60_000);
    const { lines } = await terminalBuffer(page);
    assert.deepEqual(numbered(lines, 'slow'), range(400));
    // The reload brought back the recent scrollback too: the whole earlier stream, and
    // (at least) the last 1,000 lines of seq before it.
    assert.deepEqual(numbered(lines, 'tick'), range(300));
    const last = lines.indexOf('10000');
    assert.ok(last >= 999, 'the end of seq 1 10000 is in the buffer after the reload');
    assert.deepEqual(
      lines.slice(last - 999, last + 1),
      range(1000).map((n) => String(n + 9000)),
    );
  });

  it('after a lab-server restart, the same shell goes on, its output before and during the restart kept', async () => {
    await typeCommand(
      page,
      'export MARK=kept; for i in $(seq 1 400); do echo "run-$i"; sleep 0.02; done; echo "run-$((40+2))-done"',
    );
    await waitForTerminal(page, /\nrun-5\d\n/);
    await server.kill9();
    server = await spawnServer(env);
    await waitForTerminal(page, /\nrun-42-done\n/, 120_000);
    assert.deepEqual(numbered((await terminalBuffer(page)).lines, 'run'), range(400));
    await typeCommand(page, 'echo "same shell: $MARK"');
    await waitForTerminal(page, /same shell: kept/);
  });

  it('runs less on the alternate screen, with its keys working after a reload, and the screen as before when it ends', async () => {
    await typeCommand(page, 'clear; echo "before-less-$((40+2))"; seq 1 500 | less');
    await waitForBuffer(page, 'alternate');
    await waitForTerminal(page, /^1\n2\n3\n/);
    assert.doesNotMatch(await terminalText(page), /before-less-42/);
    await page.keyboard.press('G');
    await waitForTerminal(page, /\n500\n\(END\)/);

    await page.reload();
    await waitForBuffer(page, 'alternate');
    await waitForTerminal(page, /\n500\n\(END\)/);
    await page.getByTestId('lab-terminal').click();
    await page.keyboard.press('g');
    await waitForTerminal(page, /^1\n2\n/);
    // Arrow keys in the mode less set (application cursor keys) still scroll.
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await waitForTerminal(page, /^4\n5\n6\n/);
    await page.keyboard.press('q');
    await waitForBuffer(page, 'normal');
    await waitForTerminal(page, /(?:^|\n)before-less-42\n[^\n]*sandbox:~\/lab# *\n/);
    assert.doesNotMatch(await terminalText(page), /^(4|500)$/m, 'less left nothing behind');
  });

  it('runs top full screen, answers its keys, and gives the prompt back when it quits', async () => {
    // procps' top draws over the normal screen (no alternate screen) and leaves its last frame.
    await typeCommand(page, 'top -d 0.5');
    await waitForTerminal(page, /load average[\s\S]*Tasks:/);
    await page.keyboard.press('h');
    await waitForTerminal(page, /Help for Interactive Commands/);
    await page.keyboard.press('q');
    await page.waitForFunction(
      () => !/Help for Interactive/.test(window.__drydockTerminalText?.() ?? ''),
    );
    await waitForTerminal(page, /load average[\s\S]*Tasks:/);
    await page.keyboard.press('q');
    // Typed before top has quit, the next keys would be top's (its `e`, `c`, `h`, `o`).
    await waitForTerminal(page, /Tasks:[\s\S]*\n[^\n]*sandbox:~\/lab# *\s*$/);
    await typeCommand(page, 'echo "after-top-$((40+2))"');
    await waitForTerminal(page, /\nafter-top-42\n[^\n]*sandbox:~\/lab#/);
    assert.equal((await terminalBuffer(page)).buffer, 'normal');
  });

  it('starts a new shell below the old one’s output when the learner types exit', async () => {
    // Its last lines come just before it exits: none may be lost on the way.
    await typeCommand(page, 'seq -f "old-shell-%g" 2000; exit');
    await waitForTerminal(page, /\nold-shell-2000\n[\s\S]*the shell exited; starting a new one/);
    await waitForTerminal(page, /the shell exited; starting a new one[\s\S]*sandbox:~\/lab#/);
    await typeCommand(page, 'echo "new-shell-$((40+2))"');
    await waitForTerminal(page, /old-shell-2000\n[\s\S]*\nnew-shell-42\n/);
  });
});

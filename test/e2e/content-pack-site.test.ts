/**
 * The site built with a content pack (DRYDOCK_CONTENT), as `npm start` builds it:
 * the real `astro build`, into a folder of its own, with the fixture pack
 * (test/fixtures/content-pack) and with broken copies of it. What is asserted
 * is what a reader of the built site would find: the pack's lessons in their
 * own sidebar group, the built-in pages the pack hides gone, and the pages only
 * one group may see built but linked, listed and indexed nowhere else. Then the
 * real lab server serves that site beside the built-in content, in Chromium:
 * someone outside the group finds no trace of the team's lab, a member finds it
 * under "For your team" and fixes it in a real sandbox.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  checkTask,
  launchChromium,
  LAB_PROMPT,
  SCREENSHOTS,
  typeCommand,
  waitForTerminal,
} from '../support/browser.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const PACK = join(ROOT, 'test/fixtures/content-pack');
const ASTRO = join(ROOT, 'node_modules/astro/bin/astro.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'drydock-pack-site-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The team's address: the site then has a sitemap, which must leave out what only some groups see. */
const PUBLIC_URL = 'https://kb.acme.test/';

function build(pack: string, outDir: string) {
  return spawnSync(process.execPath, [ASTRO, 'build', '--outDir', outDir], {
    cwd: ROOT,
    env: { ...process.env, DRYDOCK_CONTENT: pack, DRYDOCK_PUBLIC_URL: PUBLIC_URL },
    encoding: 'utf8',
  });
}

/** Every text file of the built site, relative path → content. */
function textFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(html|json|js|css|xml|txt)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('the site built with a content pack', () => {
  const out = join(scratch, 'dist');
  let files: Map<string, string>;

  before(() => {
    const result = build(PACK, out);
    assert.equal(result.status, 0, `astro build failed:\n${result.stdout}\n${result.stderr}`);
    files = textFiles(out);
  });

  it("shows the pack's lessons in a sidebar group titled as the pack says", () => {
    const page = files.get('lessons/acme-image-conventions/index.html')!;
    assert.match(page, /How Acme tags its images/);
    const builtIn = files.get('lessons/named-volume-masks-image/index.html')!;
    assert.match(builtIn, /Acme platform team/);
    assert.match(builtIn, /href="\/lessons\/acme-image-conventions\/"/);
    assert.match(files.get('index.html')!, /href="\/lessons\/acme-image-conventions\/"/);
    assert.match(
      files.get('symptoms.json')!,
      /manifest for registry\.acme\.example\/payments:latest not found/,
      'its symptoms are found by the error message',
    );
  });

  it('leaves out the built-in lab and lesson the pack hides, and unlinks links to them', () => {
    assert.ok(!existsSync(join(out, 'labs/compose-v1-containerconfig')));
    assert.ok(!existsSync(join(out, 'lessons/compose-v1-containerconfig')));
    for (const [path, text] of files)
      assert.ok(
        !text.includes('compose-v1-containerconfig'),
        `${path} still links the hidden pages`,
      );
  });

  it('builds the pages only one group may see, but lists, links and indexes them nowhere else', () => {
    const lab = 'labs/payments-worker-stopped/index.html';
    const lesson = 'lessons/payments-worker-runbook/index.html';
    assert.match(files.get(lab)!, /The payments worker was deployed but never started/);
    assert.match(files.get(lesson)!, /Runbook: the payments worker is not processing/);
    for (const page of [lab, lesson])
      assert.ok(
        !files.get(page)!.includes('data-pagefind-body'),
        `${page} is not in the search index`,
      );
    for (const [path, text] of files) {
      if (path === lab || path === lesson) continue;
      for (const secret of ['payments-worker', 'payment queue', 'queue depth alert'])
        assert.ok(!text.includes(secret), `${path} mentions "${secret}"`);
    }
    const sitemap = files.get('sitemap-0.xml')!;
    assert.match(
      sitemap,
      /<loc>https:\/\/kb\.acme\.test\/lessons\/acme-image-conventions\/<\/loc>/,
    );
    // Pagefind's index is binary (compressed): its fragments name the pages indexed.
    const indexed = readdirSync(join(out, 'pagefind/fragment')).length;
    assert.ok(indexed > 20, `the other pages are indexed (${indexed} fragments)`);
  });

  it('fails on a malformed pack, naming the pack, the file and the field', () => {
    const broken = join(scratch, 'acme-broken');
    cpSync(PACK, broken, { recursive: true });
    const manifest = join(broken, 'labs/payments-worker-stopped/lab.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('minutes: 5', 'minutes: soon'));
    const labError = build(broken, join(scratch, 'broken-dist'));
    assert.notEqual(labError.status, 0);
    assert.match(
      labError.stdout + labError.stderr,
      /content pack "acme-platform": acme-broken\/labs\/payments-worker-stopped\/lab\.yaml: minutes: /,
    );

    writeFileSync(join(broken, 'drydock-pack.yaml'), 'name: acme-platform\nhide: [lessons]\n');
    const packError = build(broken, join(scratch, 'broken-dist'));
    assert.notEqual(packError.status, 0);
    assert.match(
      packError.stdout + packError.stderr,
      /content pack "acme-platform": .*acme-broken\/drydock-pack\.yaml: hide\[0\]: write lessons\/<slug>/,
    );
    assert.ok(!existsSync(join(scratch, 'broken-dist', 'index.html')), 'no site is written');
  });

  describe('served by the lab server beside the built-in content', () => {
    let platform: TestPlatform;
    let browser: Browser;
    // The test store is shared by the runs of a checkout: a name of this run's own.
    const member = {
      username: `priya-${randomBytes(4).toString('hex')}`,
      password: 'a-long-test-password-9',
    };

    before(async () => {
      // The repository as npm start sees it, with the site just built with the pack as its dist/.
      const root = join(scratch, 'root');
      mkdirSync(root);
      for (const folder of ['labs', 'images', 'content'])
        symlinkSync(join(ROOT, folder), join(root, folder));
      symlinkSync(out, join(root, 'dist'));
      platform = await startPlatform(
        { DRYDOCK_ROOT: root, DRYDOCK_CONTENT: PACK, DRYDOCK_STATE_DIR: join(ROOT, '.drydock') },
        { listen: true },
      );
      await platform.app.accounts.users.add({
        ...member,
        role: 'learner',
        displayName: 'Priya (platform team)',
        groups: ['platform-team'],
      });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await platform?.close();
      if (platform) await assertNothingLeft(platform.owner);
    });

    it('shows someone outside the group no trace of the team’s lab', async () => {
      const page = await browser.newPage();
      const lab = await page.goto(`${platform.url}/labs/payments-worker-stopped/`);
      assert.equal(lab!.status(), 404);
      assert.match(await page.title(), /not found/i);
      await page.goto(`${platform.url}/labs/`);
      await page
        .getByRole('link', { name: /named volume hides files/i })
        .first()
        .waitFor();
      assert.equal(await page.locator('#team-pages').isVisible(), false);
      assert.equal(await page.getByText(/payments/i).count(), 0);
      await page.close();
    });

    it('shows a member the lab under “For your team”, and lets them fix it in a real sandbox', async () => {
      const signIn = await fetch(`${platform.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: platform.url },
        body: JSON.stringify(member),
      });
      assert.equal(signIn.status, 200, await signIn.clone().text());
      const [name, value] = signIn.headers.get('set-cookie')!.split(';')[0]!.split('=');
      for (const [label, viewport] of [
        ['laptop', { width: 1440, height: 900 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const context = await browser.newContext({ viewport });
        await context.addCookies([{ name: name!, value: value!, url: platform.url }]);
        const page = await context.newPage();
        await page.goto(`${platform.url}/labs/`);
        const team = page.locator('#team-pages');
        await team.getByRole('link', { name: /payments worker was deployed/i }).waitFor();
        assert.equal(await team.getByRole('link', { name: /Runbook/ }).count(), 1);
        await page.screenshot({ path: `${SCREENSHOTS}/labs-for-your-team-${label}.png` });
        if (label === 'phone') {
          await context.close();
          break;
        }
        await team.getByRole('link', { name: /payments worker was deployed/i }).click();
        await page.waitForURL(/\/labs\/payments-worker-stopped\/$/);
        await page.getByTestId('lab-start').click();
        await waitForTerminal(page, LAB_PROMPT, 120_000);
        assert.match(
          await checkTask(page, 'worker-runs', 'failed'),
          /payments-worker is .*created/,
        );
        await typeCommand(page, 'docker start payments-worker');
        await waitForTerminal(page, /start payments-worker\npayments-worker\n/);
        assert.match(await checkTask(page, 'worker-runs', 'passed'), /payments-worker is running/);
        await page.getByTestId('lab-stop').click();
        await context.close();
      }
    });
  });
});

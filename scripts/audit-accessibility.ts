/**
 * `npm run audit:a11y`: every page of the built site (from its sitemap), checked
 * with axe-core against WCAG 2.1 A and AA at phone and laptop width. Prints each
 * page's violations and a summary; exits 1 if there are any. Run it after changing
 * content or styles: CI checks one page of each kind (test/e2e/accessibility.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { settled, violations } from '../test/support/accessibility.ts';
import { launchChromium } from '../test/support/browser.ts';
import { ROOT, serveSiteWithoutEngine } from '../test/support/platform.ts';

const sitemap = `${ROOT}dist/sitemap-0.xml`;
if (!existsSync(sitemap)) {
  // Astro writes a sitemap only for a site with a public URL (docs/reverse-proxy.md); any URL will do here.
  console.error(
    'audit:a11y: no sitemap (dist/sitemap-0.xml); build the site for a public URL first: `DRYDOCK_PUBLIC_URL=http://localhost npm run build:site`',
  );
  process.exit(2);
}
const paths = [...readFileSync(sitemap, 'utf8').matchAll(/<loc>([^<]+)<\/loc>/g)].map(
  (m) => new URL(m[1]!).pathname,
);

// The site is static: the lab server serves it without an engine.
const { app, url } = await serveSiteWithoutEngine();
const browser = await launchChromium();
const started = performance.now();
let found = 0;
try {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1440, height: 900 },
  ]) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    for (const [i, path] of paths.entries()) {
      // A progress line where someone watches; nothing but findings in a log.
      if (process.stdout.isTTY)
        process.stdout.write(
          `\r${viewport.width} px: ${i + 1}/${paths.length} ${path.padEnd(60).slice(0, 60)}`,
        );
      await page.goto(`${url}${path}`);
      await settled(page);
      const lines = await violations(page);
      found += lines.length;
      if (lines.length)
        process.stdout.write(
          `\n${viewport.width} px ${path}\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
        );
    }
    await context.close();
    process.stdout.write(
      process.stdout.isTTY ? '\n' : `${viewport.width} px: ${paths.length} pages checked\n`,
    );
  }
} finally {
  await browser.close();
  await app.close();
}
console.log(
  `${paths.length} pages × 2 widths: ${found} violation(s) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(found ? 1 : 0);

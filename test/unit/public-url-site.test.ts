/**
 * DRYDOCK_PUBLIC_URL as the site build uses it: every lesson names its
 * canonical address under the public URL, and a sitemap lists the pages there.
 * Reads the dist/ that `npm test` builds, for the public URL scripts/drydock
 * gives that build (TEST_PUBLIC_URL), rather than building the site again (11 s).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT } from '../support/platform.ts';

const DIST = join(ROOT, 'dist');

const locations = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);

describe('the site built for a public URL', () => {
  let url: string;
  let lessons: string[];

  before(() => {
    const launcher = readFileSync(join(ROOT, 'scripts/drydock'), 'utf8');
    url = /^TEST_PUBLIC_URL=(\S+)$/m.exec(launcher)?.[1] ?? '';
    assert.ok(url, 'scripts/drydock names the public URL npm test builds for (TEST_PUBLIC_URL)');
    assert.ok(
      existsSync(join(DIST, 'index.html')),
      'the site must be built first (npm test does it)',
    );
    lessons = readdirSync(join(DIST, 'lessons'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `lessons/${entry.name}/`);
    assert.ok(lessons.length > 0, 'the build has lessons');
  });

  it('names each lesson’s canonical address under the public URL', () => {
    for (const lesson of lessons) {
      const html = readFileSync(join(DIST, lesson, 'index.html'), 'utf8');
      const canonical = /<link rel="canonical" href="([^"]*)"/.exec(html)?.[1];
      assert.equal(
        canonical,
        new URL(lesson, url).href,
        `${lesson}: a dist/ not built by npm test (DRYDOCK_PUBLIC_URL=${url}) fails here`,
      );
    }
  });

  it('writes a sitemap that lists every lesson at the public URL and nothing elsewhere', () => {
    const index = join(DIST, 'sitemap-index.xml');
    assert.ok(existsSync(index), 'dist/sitemap-index.xml exists');
    const sitemaps = locations(readFileSync(index, 'utf8'));
    assert.ok(sitemaps.length > 0, 'the sitemap index names its sitemaps');
    const pages = sitemaps.flatMap((sitemap) => {
      assert.ok(sitemap.startsWith(url), `${sitemap} is under ${url}`);
      return locations(readFileSync(join(DIST, new URL(sitemap).pathname), 'utf8'));
    });
    for (const page of pages) assert.ok(page.startsWith(url), `${page} is under ${url}`);
    for (const lesson of lessons)
      assert.ok(pages.includes(new URL(lesson, url).href), `the sitemap lists ${lesson}`);
  });
});

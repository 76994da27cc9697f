/**
 * The error-message matcher behind /symptoms/ and the site search's suggestions,
 * over the real catalog: every message a page lists, as a learner would get it (other
 * IDs and names), must lead to that page.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { normalise, pagesExplaining, type KnownError } from '../../site/lib/error-match.ts';
import { ROOT } from '../support/platform.ts';

/** The catalog as /symptoms.json serves it: lessons first, then the tutorial. */
function catalog(): KnownError[] {
  const known: KnownError[] = [];
  for (const folder of ['lessons', 'tutorial']) {
    for (const file of readdirSync(join(ROOT, 'content', folder))
      .filter((f) => f.endsWith('.mdx'))
      .sort()) {
      const frontmatter = parse(
        readFileSync(join(ROOT, 'content', folder, file), 'utf8').split(/^---$/m)[1]!,
      ) as { title: string; symptoms?: string[] };
      for (const message of frontmatter.symptoms ?? [])
        known.push({
          message,
          title: frontmatter.title,
          href: `/${folder}/${file.replace(/\.mdx$/, '')}/`,
        });
    }
  }
  return known;
}

/** The same message on another machine: other hex IDs, other names in quotes. */
function asSeenElsewhere(message: string): string {
  return message
    .replace(/[0-9a-f]{12,64}/g, (id) =>
      id.replace(/[0-9a-f]/g, (c) => ((parseInt(c, 16) + 7) % 16).toString(16)),
    )
    .replace(/"\/?([a-z][\w.-]*)"/g, (_, name: string) => `"/other-${name}"`);
}

const KNOWN = catalog();

describe('matching a pasted error message', () => {
  it('has a catalog to match against', () => {
    assert.ok(KNOWN.length >= 50, `only ${KNOWN.length} messages in the lessons' frontmatter`);
  });

  it('leads every listed message, with other IDs and names, to its page', (t) => {
    const misses: string[] = [];
    let checked = 0;
    for (const error of KNOWN) {
      const pasted = asSeenElsewhere(error.message);
      const pages = pagesExplaining(pasted, KNOWN).map((m) => m.href);
      if (pages.length === 0 && pagesExplaining(error.message, KNOWN).length === 0) continue; // a keyword-sized message: left to full-text search
      checked += 1;
      // A message listed by several pages (e.g. a restart loop's status) may lead to any of them.
      const sharedBy = new Set(
        KNOWN.filter((k) => normalise(k.message) === normalise(error.message)).map((k) => k.href),
      );
      // Lessons come first; a tutorial page that mentions a lesson's error may follow it.
      const expected =
        sharedBy.size > 1
          ? pages.some((href) => sharedBy.has(href))
          : error.href.startsWith('/lessons/')
            ? pages[0] === error.href
            : pages.includes(error.href);
      if (!expected)
        misses.push(
          `${JSON.stringify(pasted)} → ${pages.join(', ') || 'nothing'} (expected ${error.href})`,
        );
    }
    assert.deepEqual(misses, []);
    t.diagnostic(
      `${checked} of ${KNOWN.length} messages checked; the rest are a word or two, left to full-text search`,
    );
    assert.ok(
      checked >= KNOWN.length * 0.9,
      `only ${checked} of ${KNOWN.length} messages are long enough to match`,
    );
  });

  it('finds the page from a message with extra lines around it, as pasted from a terminal', () => {
    const pasted = `$ docker run -d --name api berthboard-api:2.1 docker: Error response from daemon: Conflict. The container name "/api" is already in use by container "9f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100". You have to remove (or rename) that container to be able to reuse that name. See 'docker run --help'.`;
    assert.equal(
      pagesExplaining(pasted, KNOWN)[0]?.href,
      '/lessons/stale-container-name-conflict/',
    );
  });

  it('suggests pages with similar words when no message matches exactly', () => {
    // Retyped by hand: no quotes around the name, the ID cut short.
    const [first] = pagesExplaining(
      'Error response from daemon: Conflict. The container name /web is already in use by container 3f2a',
      KNOWN,
    );
    assert.equal(first?.href, '/lessons/stale-container-name-conflict/');
    assert.equal(first?.exact, false);
  });

  it('leaves keywords and unrelated text to the full-text search', () => {
    assert.deepEqual(pagesExplaining('volume', KNOWN), []);
    assert.deepEqual(pagesExplaining('EBUSY', KNOWN), []);
    assert.deepEqual(
      pagesExplaining('the flux capacitor overheated again this morning', KNOWN),
      [],
    );
  });
});

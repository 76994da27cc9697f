/**
 * Matching a pasted error message against the messages our pages explain (the
 * `symptoms` frontmatter). A learner's message differs from ours in its variable
 * parts (IDs, container names, paths, addresses, ports, sizes, ages), so both sides
 * are compared "normalised", with those parts replaced by placeholders; failing
 * that, by the words they share. Runs in the browser (/symptoms/ and the site
 * search) and in Node (unit tests), so it uses nothing but the language.
 */

// Words that carry no meaning for matching.
const STOPWORDS = new Set(
  'a ago an and are as at be by can for from has have in is it its not of on or that the this to was with you your'.split(
    ' ',
  ),
);

/** Below this share of shared words, a message is not "similar". */
export const SIMILAR_ENOUGH = 0.6;

/** Lower case, plain quotes, single spaces. */
export function canonical(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u2033]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
}

const AGE = String.raw`(?:less than a second|about a minute|about an hour|an? [a-z]+|\d+ [a-z]+)`;

/** `canonical`, with the parts that differ from one occurrence to the next replaced by placeholders. */
export function normalise(text: string): string {
  return (
    canonical(text)
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"']+/g, '‹url›')
      // Anything in quotes: container names, image refs, paths, commands.
      .replace(/"[^"]*"/g, '"‹q›"')
      .replace(/(^|[^a-z0-9])'[^']*'(?![a-z0-9])/g, "$1'‹q›'")
      // IDs: UUIDs, hex ids and digests, long random tokens.
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '‹id›')
      .replace(/(?<![0-9a-z])[0-9a-f]{12,64}(?![0-9a-z])/g, '‹id›')
      .replace(/\b(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{16,}\b/g, '‹id›')
      // Addresses, ports, paths, sizes, ages.
      .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '‹ip›')
      .replace(/(?<=[a-z›\]]):\d{2,5}\b/g, ':‹port›')
      .replace(/\bport \d{2,5}\b/g, 'port ‹port›')
      .replace(/(?:\/[\w.@+~-]+)+\/?/g, '‹path›')
      .replace(/\b\d+(?:\.\d+)?\s?(?:[kmgt]i?b|b)\b/g, '‹size›')
      .replace(new RegExp(String.raw`\b${AGE} ago\b`, 'g'), '‹age› ago')
      .replace(new RegExp(String.raw`\bup ${AGE}`, 'g'), 'up ‹age›')
  );
}

/** The meaningful words of a normalised text: no placeholders, no stopwords, no 1-2 letter words. */
export function words(normalised: string): Set<string> {
  return new Set(
    normalised
      .split(/[^a-z0-9‹›]+/)
      .filter(
        (w) => w && !w.startsWith('‹') && !STOPWORDS.has(w) && (w.length > 2 || /^\d+$/.test(w)),
      ),
  );
}

/**
 * Share of the smaller word set found in the larger one; 0 unless they share at least
 * two words that are not just numbers (exit codes alone say little).
 */
export function similarity(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  let sharedWords = 0;
  for (const w of a) {
    if (!b.has(w)) continue;
    shared += 1;
    if (!/^\d+$/.test(w)) sharedWords += 1;
  }
  return sharedWords < 2 ? 0 : shared / Math.min(a.size, b.size);
}

/** A message in the three forms the comparisons need. */
export interface Prepared {
  raw: string;
  norm: string;
  words: Set<string>;
}

export function prepare(text: string): Prepared {
  const norm = normalise(text);
  return { raw: canonical(text), norm, words: words(norm) };
}

/** One contains the other, as typed or once both are normalised. */
export function isExactMatch(query: Prepared, item: Prepared): boolean {
  return (
    item.raw.includes(query.raw) ||
    query.raw.includes(item.raw) ||
    (query.norm.length >= 3 && (item.norm.includes(query.norm) || query.norm.includes(item.norm)))
  );
}

/** A message that a page explains, as the search gets them from /symptoms.json. */
export interface KnownError {
  message: string;
  href: string;
  title: string;
}

export interface ErrorMatch extends KnownError {
  /** Whether a message of this page matched exactly (else: similar words). */
  exact: boolean;
  /** Share of the query's words that this page's matching messages contain together. */
  coverage: number;
}

/**
 * The pages that explain a pasted message, best first, one entry per page with the
 * most specific message that matched. Exact matches win; only without any do
 * similar ones count. Among those, the page whose messages cover more of what was
 * pasted comes first, then the catalog's order (lessons before the tutorial).
 * Short queries (a word or two) are left to the full-text search.
 */
export function pagesExplaining(query: string, known: KnownError[], limit = 3): ErrorMatch[] {
  const q = prepare(query);
  if (q.raw.length < 8 || q.words.size < 2) return [];
  const scored = known.map((error, order) => {
    const item = prepare(error.message);
    return {
      error,
      item,
      order,
      exact: isExactMatch(q, item),
      similar: similarity(q.words, item.words) >= SIMILAR_ENOUGH,
    };
  });
  const anyExact = scored.some((m) => m.exact);
  const matching = scored.filter((m) => (anyExact ? m.exact : m.similar));

  const pages = new Map<string, typeof matching>();
  for (const m of matching) pages.set(m.error.href, [...(pages.get(m.error.href) ?? []), m]);
  const ranked = [...pages.values()].map((messages) => {
    const covered = new Set(
      messages.flatMap((m) => [...m.item.words].filter((w) => q.words.has(w))),
    );
    const specific = messages.reduce((a, b) =>
      b.error.message.length > a.error.message.length ? b : a,
    );
    return {
      ...specific.error,
      exact: anyExact,
      coverage: covered.size / q.words.size,
      order: Math.min(...messages.map((m) => m.order)),
    };
  });
  ranked.sort((a, b) => b.coverage - a.coverage || a.order - b.order);
  return ranked.slice(0, limit).map(({ order: _order, ...match }) => match);
}

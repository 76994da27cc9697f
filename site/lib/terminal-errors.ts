/**
 * Recognising, in a lab's terminal output, an error message that a lesson
 * explains: the catalogue is the `symptoms` frontmatter of the docs collection
 * (the same messages /symptoms/ and the site search match a pasted error
 * against, compared the same way: site/lib/error-match.ts), turned at build time
 * into patterns, and matched here against the output as it streams.
 *
 * A terminal is not a search box: it prints listings the learner asked for and
 * a great deal of output that is no error. So not every symptom becomes a
 * pattern (see `terminalPatterns`), short ones must be a whole line, and each
 * page is offered once. Pure and dependency-free: runs in the browser and in
 * Node's unit tests.
 */
import { canonical, normalise, words, type KnownError } from './error-match.ts';

/** A symptom as the lab page ships it: what to look for, and the page (and section) that explains it. */
export interface TerminalPattern {
  /** Where it is explained: a lesson URL, with the section's anchor when one was found. */
  href: string;
  /** The page's title. */
  title: string;
  /**
   * `line`: a short message (under three meaningful words, e.g. `Killed`) must be a
   * whole output line, as typed; `within`: a longer one may be part of a line, and
   * is compared with its variable parts (names, IDs, paths) set aside.
   */
  match: 'line' | 'within';
  /** What is compared: the trimmed canonical text (`line`) or the normalised one (`within`). */
  text: string;
  /** A word the line must contain (lower case) before the costlier comparison runs. */
  anchor: string;
}

/** Under this many meaningful words, a message only counts as a whole line. */
const WORDS_FOR_WITHIN = 3;

/** Status columns of `docker ps` / `docker images`: a listing the learner asked for, not an error. */
const LISTING = /‹age› ago|\bup ‹age›|‹size›\s*$/;

/** Spaces and the punctuation a message may be wrapped in (a JSON line's comma, a sentence's full stop). */
function trimmed(text: string): string {
  return canonical(text).replace(/^[\s,;.]+|[\s,;.]+$/g, '');
}

/**
 * The catalogue's messages that are worth looking for in a terminal, in the
 * catalogue's order (lessons first: a lesson is about its errors, the tutorial
 * only mentions them on the way). Left out: listing lines (`Up 3 minutes
 * (unhealthy)`, an image row), and messages with no word to anchor on.
 */
export function terminalPatterns(
  known: readonly (KnownError & { section?: string | undefined })[],
): TerminalPattern[] {
  const patterns: TerminalPattern[] = [];
  for (const error of known) {
    const norm = normalise(error.message);
    if (LISTING.test(norm)) continue;
    const meaningful = [...words(norm)].filter((w) => !/^\d+$/.test(w));
    const anchor = meaningful.reduce((a, b) => (b.length > a.length ? b : a), '');
    if (anchor.length < 4) continue;
    const href = error.section ? `${error.href}#${error.section}` : error.href;
    const base = { href, title: error.title, anchor };
    patterns.push(
      meaningful.length >= WORDS_FOR_WITHIN
        ? { ...base, match: 'within', text: norm }
        : { ...base, match: 'line', text: trimmed(error.message) },
    );
  }
  return patterns;
}

// CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST), and two-byte escapes.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]/g;

export function stripEscapes(text: string): string {
  return text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
}

/** An incomplete line is kept for the next chunk up to this many characters. */
export const MAX_TAIL = 4096;
/** What is kept of a line longer than MAX_TAIL: enough for the longest message to straddle chunks. */
const KEEP_OF_LONG_LINE = 1024;

/** Where the line that holds `index` ends: at the next CR or LF, or the end of the text. */
function lineEnd(text: string, index: number): number {
  const lf = text.indexOf('\n', index);
  const cr = text.indexOf('\r', index);
  if (lf === -1) return cr === -1 ? text.length : cr;
  return cr === -1 ? lf : Math.min(lf, cr);
}

type Candidate = TerminalPattern & { order: number; words: string[] };

/**
 * Watches a stream of terminal output (text, already decoded) for the patterns'
 * messages, across chunk boundaries, and reports each page at most once: a
 * message printed twice, or two messages of one page, bring its offer once.
 */
export class ErrorSpotter {
  /** The patterns by their anchor word, each with its place in the catalogue and its words. */
  readonly #byAnchor = new Map<string, Candidate[]>();
  readonly #onSpot: (pattern: TerminalPattern, line: string) => void;
  readonly #offered: Set<string>;
  readonly #anchors: RegExp;
  #tail = '';

  /** `offered`: pages already offered in this session (after a reload), not offered again. */
  constructor(
    patterns: readonly TerminalPattern[],
    onSpot: (pattern: TerminalPattern, line: string) => void,
    offered: Iterable<string> = [],
  ) {
    this.#onSpot = onSpot;
    this.#offered = new Set(offered);
    patterns.forEach((pattern, order) => {
      const candidate = {
        ...pattern,
        order,
        // Longest first: the rarer words rule a line out sooner.
        words: [...words(pattern.text)].sort((a, b) => b.length - a.length),
      };
      this.#byAnchor.set(pattern.anchor, [
        ...(this.#byAnchor.get(pattern.anchor) ?? []),
        candidate,
      ]);
    });
    // Longest first, so that "entrypoint" is reported as itself and not as "entry".
    const alternatives = [...this.#byAnchor.keys()]
      .sort((a, b) => b.length - a.length)
      .map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    // Matches nothing when there is nothing to look for.
    this.#anchors = new RegExp(alternatives.length ? alternatives.join('|') : '(?!)', 'gi');
  }

  /** The next piece of output, as it arrived (escape sequences and all). */
  push(text: string): void {
    const buffer = this.#tail + text;
    const end = Math.max(buffer.lastIndexOf('\n'), buffer.lastIndexOf('\r'));
    this.#tail = buffer.slice(end + 1);
    if (this.#tail.length > MAX_TAIL) {
      // A line that does not end (a progress bar, `yes | tr -d '\n'`): look at what
      // there is, and keep only its end for the next chunk.
      this.#scan(this.#tail, false);
      this.#tail = this.#tail.slice(-KEEP_OF_LONG_LINE);
    }
    if (end >= 0) this.#scan(buffer.slice(0, end), true);
  }

  /** Pages offered so far (to remember across a reload). */
  get offered(): string[] {
    return [...this.#offered];
  }

  #scan(raw: string, complete: boolean): void {
    const text = stripEscapes(raw);
    // Only the lines around an anchor word are looked at: most output has none,
    // and a regular expression finds them faster than splitting into lines would.
    const anchors = this.#anchors;
    anchors.lastIndex = 0;
    let hit = anchors.exec(text);
    while (hit) {
      const start =
        Math.max(text.lastIndexOf('\n', hit.index), text.lastIndexOf('\r', hit.index)) + 1;
      const end = lineEnd(text, hit.index);
      const found = new Set<string>();
      while (hit && hit.index < end) {
        found.add(hit[0].toLowerCase());
        hit = anchors.exec(text);
      }
      this.#matchLine(text.slice(start, end), found, complete || end < text.length);
    }
  }

  #matchLine(line: string, found: Set<string>, whole: boolean): void {
    const candidates = [...found]
      .flatMap((anchor) => this.#byAnchor.get(anchor) ?? [])
      .sort((a, b) => a.order - b.order);
    const lower = line.toLowerCase();
    let exact: string | undefined;
    let norm: string | undefined;
    for (const candidate of candidates) {
      // Every word of the message must be in the line before a closer look is worth it.
      if (!candidate.words.every((word) => lower.includes(word))) continue;
      if (candidate.match === 'line') {
        if (!whole || line.length > 200) continue;
        exact ??= trimmed(line);
        if (exact === candidate.text) return this.#offer(candidate, line);
        continue;
      }
      norm ??= normalise(line);
      if (norm.includes(candidate.text)) return this.#offer(candidate, line);
    }
  }

  #offer({ order: _order, words: _words, ...pattern }: Candidate, line: string): void {
    const page = pattern.href.split('#')[0]!;
    if (this.#offered.has(page)) return;
    this.#offered.add(page);
    this.#onSpot(pattern, line.trim());
  }
}

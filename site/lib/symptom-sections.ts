/**
 * Which section of a page explains one of its symptoms: the heading above the
 * first place in the page's Markdown where the message appears, so that an
 * error spotted in the terminal links to that section rather than to the top of
 * a long lesson. Pure; the caller passes the page's headings as Astro rendered
 * them (with their ids), in order.
 */
import { canonical, normalise } from './error-match.ts';

export interface Heading {
  depth: number;
  slug: string;
}

/** The longest run of the message with no variable part in it, to look for in the page. */
function fixedPart(message: string): string {
  return normalise(message)
    .split(/‹[a-z]+›/)
    .map((part) => part.trim())
    .reduce((a, b) => (b.length > a.length ? b : a), '');
}

/**
 * The id of the section (a heading of depth 2 or more) under which `message` first
 * appears in `body`, or undefined if it does not appear below any heading.
 */
export function sectionOf(
  body: string,
  headings: readonly Heading[],
  message: string,
): string | undefined {
  const wanted = fixedPart(message);
  if (wanted.length < 6) return undefined;
  const sections = headings.filter((h) => h.depth >= 2);
  let current = -1;
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (opening && (!fence || opening.startsWith(fence))) {
      fence = fence ? undefined : opening;
    } else if (!fence && /^#{2,6}\s/.test(line)) {
      current += 1;
      continue;
    }
    if (current >= 0 && normalise(canonical(line)).includes(wanted)) return sections[current]?.slug;
  }
  return undefined;
}

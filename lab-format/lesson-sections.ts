/**
 * The sections of a lesson as the site renders them: each Markdown heading with
 * the anchor Astro gives it (github-slugger over the heading's text, numbered
 * when a text repeats). A task's `explainedIn` names one of these, and the lab
 * loader checks it here, when the lab loads, so a renamed heading fails the build
 * with the lab file and the field instead of leaving a link that lands at the top.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import GithubSlugger from 'github-slugger';

export interface LessonSection {
  depth: number;
  /** The heading's text as the page shows it (inline Markdown removed). */
  title: string;
  /** The heading's id on the page: `/lessons/x/#<anchor>`. */
  anchor: string;
}

/** `## Run \`docker ps\` *first*` → `Run docker ps first`: the text a heading's id is made from. */
function plainText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*?/g, '')
    .trim();
}

/** Every heading outside front matter and code blocks, in order. */
export function lessonSections(markdown: string): LessonSection[] {
  const slugger = new GithubSlugger();
  const body = markdown.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
  const sections: LessonSection[] = [];
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (opening && (!fence || opening.startsWith(fence))) {
      fence = fence ? undefined : opening;
      continue;
    }
    if (fence) continue;
    const heading = /^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$/.exec(line);
    if (!heading) continue;
    const title = plainText(heading[2]!);
    sections.push({ depth: heading[1]!.length, title, anchor: slugger.slug(title) });
  }
  return sections;
}

/**
 * The lesson file a lesson id (`lessons/x`) names in `contentDir` (or the first of
 * several folders that has it: content packs, lab-format/content-packs.ts), if any.
 */
export function lessonFile(
  contentDir: string | readonly string[],
  lesson: string,
): string | undefined {
  return (typeof contentDir === 'string' ? [contentDir] : contentDir)
    .flatMap((dir) => ['.mdx', '.md'].map((ext) => join(dir, lesson + ext)))
    .find((file) => existsSync(file));
}

export type SectionLookup =
  | { ok: true; lesson: string; section: LessonSection }
  | { ok: false; problem: string; hint: string };

/** Resolves `lessons/x#anchor` against the lessons in `contentDir`. */
export function findSection(
  contentDir: string | readonly string[],
  reference: string,
): SectionLookup {
  const [lesson = '', anchor = ''] = reference.split('#');
  const file = lessonFile(contentDir, lesson);
  if (!file)
    return {
      ok: false,
      problem: `no lesson "${lesson}" in content/ (looked for content/${lesson}.mdx and .md)`,
      hint: 'a lesson is named by its path in content/ without the extension, e.g. lessons/named-volume-masks-image',
    };
  const sections = lessonSections(readFileSync(file, 'utf8')).filter((s) => s.depth >= 2);
  const section = sections.find((s) => s.anchor === anchor);
  if (!section)
    return {
      ok: false,
      problem: `lesson "${lesson}" has no section "#${anchor}"`,
      hint: `its sections: ${sections.map((s) => `#${s.anchor}`).join(', ')}`,
    };
  return { ok: true, lesson, section };
}

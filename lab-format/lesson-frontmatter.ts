/**
 * The title and sign-in groups of each shown lesson, read from its frontmatter
 * as the site's content schema reads them (docs/content-visibility.md). The lab
 * server imports neither Astro nor content/, so it reads the YAML between the
 * first two `---` lines itself. The site's build rejects a malformed lesson; one
 * that does not parse here all the same is kept from everyone but admins (never
 * shown by mistake) and the caller logs why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type ContentSource, shownLessons } from './content-packs.ts';

export interface LessonFacts {
  id: string;
  title: string;
  /** Absent: everyone may see it; empty: nobody but admins (its frontmatter could not be read). */
  groups?: string[] | undefined;
}

const FRONTMATTER = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/;

/** The frontmatter's title and groups; `problem` when there is none or it is not YAML. */
export function frontmatterOf(
  text: string,
): { title?: string; groups?: string[] } | { problem: string } {
  const match = FRONTMATTER.exec(text);
  if (!match) return { problem: 'no frontmatter' };
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch (error) {
    return { problem: `frontmatter is not YAML: ${(error as Error).message}` };
  }
  if (typeof data !== 'object' || data === null) return {};
  const { title, groups } = data as Record<string, unknown>;
  const names = Array.isArray(groups)
    ? groups.filter((g): g is string => typeof g === 'string' && g.length > 0)
    : typeof groups === 'string' && groups
      ? [groups]
      : [];
  return {
    ...(typeof title === 'string' ? { title } : {}),
    ...(names.length > 0 ? { groups: names } : {}),
  };
}

/** Each shown lesson of the sources with its title and groups; `warn` hears of one it could not read. */
export function lessonFacts(
  sources: readonly ContentSource[],
  warn: (message: string) => void = () => {},
): LessonFacts[] {
  return shownLessons(sources).map(({ id, source }) => {
    const file = ['.mdx', '.md']
      .map((ext) => join(source.lessonsBase, id + ext))
      .find((path) => existsSync(path))!;
    const facts = frontmatterOf(readFileSync(file, 'utf8'));
    if ('problem' in facts) {
      warn(`${file}: ${facts.problem}; its page is kept from everyone but admins`);
      return { id, title: id, groups: [] };
    }
    return { id, title: facts.title ?? id, groups: facts.groups };
  });
}

/**
 * The catalogue of error messages our pages explain: every `symptoms` entry of
 * the docs collection, with its page, lessons before the tutorial (a lesson is
 * about its errors, the tutorial only mentions them on the way). One source for
 * /symptoms.json (the site search) and the lab page's terminal (ErrorHints.astro).
 * Build time only: it reads the content collections.
 */
import { getCollection, render } from 'astro:content';
import { forEveryone } from './visibility.ts';
import type { KnownError } from './error-match.ts';
import { lessonHref } from './labs.ts';
import { sectionOf } from './symptom-sections.ts';

export interface KnownErrorInSection extends KnownError {
  /** The id of the heading whose section shows the message, when it appears under one. */
  section?: string | undefined;
}

export async function knownErrors(
  options: { sections?: boolean } = {},
): Promise<KnownErrorInSection[]> {
  const entries = await getCollection(
    'docs',
    // A lesson only some groups see stays out of the index (the lab server serves it to them alone).
    (entry) => (entry.data.symptoms?.length ?? 0) > 0 && forEveryone(entry),
  );
  const rank = (id: string) => (id.startsWith('lessons/') ? 0 : 1);
  entries.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  const base = import.meta.env.BASE_URL.replace(/\/$/, '');
  const pages = await Promise.all(
    entries.map(async (entry) => {
      const headings = options.sections ? (await render(entry)).headings : [];
      return entry.data.symptoms!.map((message) => ({
        message,
        href: `${base}${lessonHref(entry.id)}`,
        title: entry.data.title,
        ...(options.sections ? { section: sectionOf(entry.body ?? '', headings, message) } : {}),
      }));
    }),
  );
  return pages.flat();
}

/**
 * /symptoms.json: every error message a page explains, with that page, for the
 * site search's "explained on" suggestions (site/components/overrides/Search.astro).
 * Built once with the site; the same data as /symptoms/.
 */
import type { APIRoute } from 'astro';
import { getCollection } from 'astro:content';
import type { KnownError } from '../lib/error-match.ts';
import { lessonHref } from '../lib/labs.ts';

export const GET: APIRoute = async () => {
  const entries = await getCollection('docs', (entry) => (entry.data.symptoms?.length ?? 0) > 0);
  // The order breaks ties in the search's suggestions: a lesson is about its errors,
  // the tutorial only mentions them on the way.
  const rank = (id: string) => (id.startsWith('lessons/') ? 0 : 1);
  entries.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  const base = import.meta.env.BASE_URL.replace(/\/$/, '');
  const known: KnownError[] = entries.flatMap((entry) =>
    entry.data.symptoms!.map((message) => ({
      message,
      href: `${base}${lessonHref(entry.id)}`,
      title: entry.data.title,
    })),
  );
  return new Response(JSON.stringify(known), { headers: { 'Content-Type': 'application/json' } });
};

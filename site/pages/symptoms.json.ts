/**
 * /symptoms.json: every error message a page explains, with that page, for the
 * site search's "explained on" suggestions (site/components/overrides/Search.astro).
 * Built once with the site; the same data as /symptoms/ (site/lib/known-errors.ts).
 */
import type { APIRoute } from 'astro';
import type { KnownError } from '../lib/error-match.ts';
import { knownErrors } from '../lib/known-errors.ts';

export const GET: APIRoute = async () => {
  const known: KnownError[] = await knownErrors();
  return new Response(JSON.stringify(known), { headers: { 'Content-Type': 'application/json' } });
};

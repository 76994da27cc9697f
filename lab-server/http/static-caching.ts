/**
 * Cache-Control for the built site. Astro names the files under /_astro/ by
 * the hash of their content, so a browser may keep them for a year without
 * asking again; every other file (HTML, the search index, the favicon) keeps
 * its name across builds and must be revalidated (ETag / Last-Modified make
 * that a cheap 304), or a learner would see yesterday's page after an upgrade.
 */
import { sep } from 'node:path';
import type { FastifyReply } from 'fastify';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** @fastify/static's `setHeaders`: `path` is the file on disk under the site's root. */
export function staticCacheHeaders(root: string) {
  const fingerprinted = `${root}${sep}_astro${sep}`;
  return (reply: FastifyReply, path: string): void => {
    reply.header('cache-control', path.startsWith(fingerprinted) ? IMMUTABLE : REVALIDATE);
  };
}

/**
 * Restricted content on the wire (docs/content-visibility.md): the labs and
 * lessons a content pack keeps for some sign-in groups, that this caller may
 * see. The static site leaves them out of its lists and search at build time;
 * the labs index asks `GET /api/content/mine` to show a member theirs.
 */
import * as z from 'zod/mini';

export const RESTRICTED_KINDS = ['lab', 'lesson'] as const;

export const RestrictedPageSchema = z.object({
  /** The page's path on this site, e.g. `/labs/payments-worker-stopped/`. */
  href: z.string().check(z.regex(/^\/[a-z0-9/-]*\/$/)),
  title: z.string(),
  kind: z.enum(RESTRICTED_KINDS),
});
export type RestrictedPage = z.infer<typeof RestrictedPageSchema>;

/** `GET /api/content/mine`: empty for anyone not signed in with one of the pages' groups. */
export const MyContentSchema = z.object({
  pages: z.array(RestrictedPageSchema),
});
export type MyContent = z.infer<typeof MyContentSchema>;

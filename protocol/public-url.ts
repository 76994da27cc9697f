/**
 * DRYDOCK_PUBLIC_URL, the address learners use (e.g. behind a reverse proxy:
 * https://drydock.example.org/). Read by two programs that must agree on it: the
 * site build (canonical links and the sitemap name it) and the lab server (its
 * origin is the only one allowed to open terminals). One rule set, here.
 */

/** The URL normalised (`https://host[:port]/`), or why it is not acceptable, in words that say how to fix it. */
export type PublicUrlResult = { url: string; origin: string } | { error: string };

export function parsePublicUrl(text: string): PublicUrlResult {
  const example = 'use the address learners open, e.g. https://drydock.example.org';
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { error: `"${text}" is not an absolute URL; ${example}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { error: `"${text}" must start with https:// or http://; ${example}` };
  if (url.username || url.password)
    return { error: `the URL must not contain a user name or password; ${example}` };
  if (url.search || url.hash || text.includes('?') || text.includes('#'))
    return { error: `"${text}" must not have a query (?…) or fragment (#…); ${example}` };
  if (url.pathname !== '/')
    return {
      error: `"${text}" has a path (${url.pathname}), but Drydock is served from the root of its host (the site, /api and the terminal); give it a host or subdomain of its own, e.g. https://drydock.example.org`,
    };
  return { url: url.href, origin: url.origin };
}

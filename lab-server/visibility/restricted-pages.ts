/**
 * Which pages of the site only some sign-in groups may see, and who may
 * (docs/content-visibility.md). A lab whose lab.yaml has `groups:` and a lesson
 * whose frontmatter has them are built into dist/ like any page, but the static
 * site cannot tell a member from anyone else: the lab server answers a request
 * for such a page with the site's 404 unless the request is signed in with one
 * of its groups. Pure: the plugin (plugins/visibility.ts) gathers the pages.
 */
import { posix } from 'node:path';
import type { Role } from '../../protocol/accounts.ts';
import type { RestrictedPage as PageOnTheWire } from '../../protocol/content.ts';

/** Who asks: a signed-in user's role and groups; undefined for anyone not signed in. */
export interface Reader {
  role: Role;
  groups: readonly string[];
}

/**
 * Whether `reader` may see content restricted to `groups` (undefined: not
 * restricted, everyone may). An admin sees everything: they run the server, set
 * anyone's groups and can read the packs' files anyway; every other role (staff
 * too) sees what their groups allow.
 */
export function mayRead(
  reader: Reader | undefined,
  groups: readonly string[] | undefined,
): boolean {
  if (!groups) return true;
  if (!reader) return false;
  if (reader.role === 'admin') return true;
  return groups.some((group) => reader.groups.includes(group));
}

export interface RestrictedPage extends PageOnTheWire {
  /** The groups that may see it. */
  groups: readonly string[];
}

/** A page's content id (`labs/x`, `lessons/x`, `tutorial/x`) as its path on the site: `/lessons/x/`. */
export const hrefOf = (id: string) => `/${id.toLowerCase()}/`;

/**
 * The path a request names as the static file server will read it: decoded
 * (repeatedly: a `%252F` must not slip past what the server decodes twice),
 * without query or fragment, backslashes as slashes, `.`, `..` and doubled
 * slashes resolved, in lower case (slugs are lower case, so `/LABS/X/` names the
 * same page to anyone comparing). Gating a path too eagerly only 404s a URL no
 * page has.
 */
export function sitePath(url: string): string {
  let path = url.split(/[?#]/, 1)[0]!;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      break;
    }
    if (decoded === path) break;
    path = decoded;
  }
  return posix.normalize(`/${path.replace(/\\/g, '/')}`).toLowerCase();
}

export class RestrictedPages {
  readonly pages: readonly RestrictedPage[];
  /** `/labs/x` (the href without its slash) → the page. */
  private readonly byPrefix: Map<string, RestrictedPage>;

  constructor(pages: readonly RestrictedPage[]) {
    this.pages = pages;
    this.byPrefix = new Map(pages.map((page) => [page.href.slice(0, -1), page]));
  }

  /**
   * The restricted page a request for `url` would get, if any: the page itself
   * with or without its trailing slash, its `index.html`, the `.br` and `.gz`
   * copies the build writes beside it, anything else under its folder, however
   * the URL is spelled.
   */
  at(url: string): RestrictedPage | undefined {
    if (this.byPrefix.size === 0) return undefined;
    const path = sitePath(url);
    for (const [prefix, page] of this.byPrefix) {
      if (path === prefix) return page;
      if (path.startsWith(prefix)) {
        const next = path[prefix.length];
        if (next === '/' || next === '.') return page;
      }
    }
    return undefined;
  }

  /** The pages this reader may see, labs first, each by title. */
  visibleTo(reader: Reader | undefined): RestrictedPage[] {
    return this.pages
      .filter((page) => mayRead(reader, page.groups))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.title.localeCompare(b.title));
  }

  /**
   * From the shown labs and lessons: those with groups are restricted (an empty
   * list: to nobody but admins). A lesson's
   * id is its path under the site (`lessons/x`), a lab's slug goes under `/labs/`.
   */
  static from(
    labs: readonly { slug: string; title: string; groups?: readonly string[] | undefined }[],
    lessons: readonly { id: string; title: string; groups?: readonly string[] | undefined }[],
  ): RestrictedPages {
    const pages: RestrictedPage[] = [];
    for (const lab of labs)
      if (lab.groups)
        pages.push({
          kind: 'lab',
          href: hrefOf(`labs/${lab.slug}`),
          title: lab.title,
          groups: lab.groups,
        });
    for (const lesson of lessons)
      if (lesson.groups)
        pages.push({
          kind: 'lesson',
          href: hrefOf(lesson.id),
          title: lesson.title,
          groups: lesson.groups,
        });
    return new RestrictedPages(pages);
  }
}

/**
 * The restricted labs and lessons the visitor's sign-in groups let them see
 * (`GET /api/content/mine`, docs/content-visibility.md). The build leaves them out
 * of every list, since it cannot know who will look; a page that lists labs asks
 * here and adds them for a member. Empty for everyone else, and wherever the lab
 * server is not behind the site (astro preview): it is an addition, never an error.
 */
import { MyContentSchema, type RestrictedPage } from '../../protocol/content.ts';
import { parseValue } from '../../protocol/parse.ts';

export async function myRestrictedPages(): Promise<RestrictedPage[]> {
  try {
    const response = await fetch('/api/content/mine', {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return [];
    const parsed = parseValue(MyContentSchema, await response.json());
    return parsed.ok ? parsed.value.pages : [];
  } catch {
    return [];
  }
}

/**
 * Fills each `ul[data-team-kind="lab|lesson"]` in `section` with links to the
 * visitor's restricted pages of that kind, hides a kind (and the heading before
 * it) with none, and unhides `section` when there is any; textContent, so a
 * title is only text.
 */
export async function showMyRestrictedPages(section: HTMLElement): Promise<void> {
  const pages = await myRestrictedPages();
  if (pages.length === 0) return;
  for (const list of section.querySelectorAll<HTMLElement>('ul[data-team-kind]')) {
    const mine = pages.filter((page) => page.kind === list.dataset['teamKind']);
    for (const page of mine) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = page.href;
      link.textContent = page.title;
      item.append(link);
      list.append(item);
    }
    if (mine.length === 0) {
      list.hidden = true;
      if (list.previousElementSibling instanceof HTMLElement)
        list.previousElementSibling.hidden = true;
    }
  }
  section.hidden = false;
}

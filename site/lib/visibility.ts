/**
 * Whether a lesson or lab is for everyone, or only for some sign-in groups
 * (`groups:`, docs/content-packs.md). The static site lists, indexes and links
 * only the former; the lab server serves the latter's pages to their groups.
 */
export function forEveryone(entry: { data: { groups?: readonly string[] | undefined } }): boolean {
  return !entry.data.groups;
}

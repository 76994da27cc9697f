/**
 * Content loader for Starlight's `docs` collection: the built-in `content/` and
 * each content pack's `lessons/` (lab-format/content-packs.ts), read by Astro's
 * own glob loader, one per source. A page a later source replaces or hides is
 * left out of the earlier source's glob, so ids stay unique (`lessons/x` is
 * `/lessons/x/` whichever source wins).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { glob } from 'astro/loaders';
import {
  type ContentSource,
  contentSources,
  lessonIds,
  shownLessons,
} from '../../lab-format/content-packs.ts';

const FILES = '**/[^_]*.{md,mdx}';

/**
 * The collection's store as one source's glob sees it: only the entries whose
 * file is in that source. Glob removes the entries it did not find in its own
 * folder, which would otherwise be every other source's.
 */
function storeOf(store: LoaderContext['store'], prefix: string): LoaderContext['store'] {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'keys')
        return () => target.keys().filter((id) => target.get(id)?.filePath?.startsWith(prefix));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/** Glob patterns for one source: its lesson folders, less the ids another source wins. */
function patternsOf(source: ContentSource, shown: ReturnType<typeof shownLessons>): string[] {
  const lost = lessonIds(source).filter(
    (id) => !shown.some((entry) => entry.id === id && entry.source === source),
  );
  return [
    ...source.lessonFolders.map((folder) => `${folder}/${FILES}`),
    ...lost.flatMap((id) => [`!${id}.md`, `!${id}.mdx`]),
  ];
}

export function lessonsLoader(): Loader {
  return {
    name: 'drydock-lessons-loader',
    async load(context) {
      const root = fileURLToPath(context.config.root);
      // A malformed pack stops the build here, naming the pack, the file and the field.
      const sources = contentSources(root);
      const shown = shownLessons(sources);
      const prefixOf = (source: ContentSource) =>
        `${relative(root, source.lessonsBase) || '.'}/`.replace(/^\.\//, '');
      // Entries kept from an earlier build whose source is no longer named (a pack
      // taken out of DRYDOCK_CONTENT): no source's glob would ever remove them.
      const prefixes = sources.map(prefixOf);
      for (const id of context.store.keys()) {
        const file = context.store.get(id)?.filePath ?? '';
        if (!prefixes.some((prefix) => file.startsWith(prefix))) context.store.delete(id);
      }
      for (const source of sources) {
        const prefix = prefixOf(source);
        await glob({ base: source.lessonsBase, pattern: patternsOf(source, shown) }).load({
          ...context,
          store: storeOf(context.store, prefix),
        });
      }
    },
  };
}

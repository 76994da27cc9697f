/**
 * The dev loop's half of hot reload on the server (docs/dev-loop.md): when a
 * file under a content source's labs/ folder changes, the catalog reads the
 * labs again, so the next Start sets up the lab as it now is. Scripts need no
 * reload (each run reads its script from disk, sessions/lab-runner.ts); the
 * manifest and the lab's version (what a prepared engine state is keyed by) do.
 *
 * An edit that leaves a lab malformed is logged with its file and field, and
 * the catalog read before it stays in use: an author's typo must not stop the
 * server they are testing with.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { ContentPackError } from '../../lab-format/content-packs.ts';
import { LabFormatError } from '../../lab-format/load.ts';
import type { LabCatalog } from './catalog.ts';

/** Editors write a file in a few steps (a temporary file, a rename): one reload after the last. */
export const RELOAD_DEBOUNCE_MS = 150;

export interface LabWatch {
  close(): void;
}

export function watchLabs(
  catalog: LabCatalog,
  log: FastifyBaseLogger,
  debounceMs = RELOAD_DEBOUNCE_MS,
): LabWatch {
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const reload = () => {
    timer = undefined;
    const files = [...changed].sort();
    changed.clear();
    try {
      catalog.reload();
    } catch (error) {
      // A format error names the file and the field; anything else (a folder removed
      // halfway through a read) is logged whole. Neither may end the server.
      const known = error instanceof LabFormatError || error instanceof ContentPackError;
      log.error(
        { changed: files, ...(known ? {} : { err: error }) },
        `labs not reloaded, the previous ones stay in use until this is fixed:\n${(error as Error).message}`,
      );
      return;
    }
    log.info({ changed: files }, `labs reloaded: ${catalog.labs.length} lab(s)`);
  };
  const watchers: FSWatcher[] = catalog.sources
    .map((source) => source.labsDir)
    .filter((dir) => existsSync(dir))
    .map((dir) =>
      watch(dir, { recursive: true }, (_event, file) => {
        if (file) changed.add(`${dir}/${file}`);
        clearTimeout(timer);
        timer = setTimeout(reload, debounceMs);
      }).on('error', (error) => log.warn({ err: error, dir }, 'watching labs stopped')),
    );
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}

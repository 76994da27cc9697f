/**
 * Astro integration: after the build, writes a Brotli (`.br`) and a gzip
 * (`.gz`) copy beside every text file of the site worth compressing, which the
 * lab server sends to browsers that accept them (@fastify/static's
 * `preCompressed`, lab-server/app.ts). Compressed once here at the highest
 * levels rather than per response: the server stays a plain file server, and
 * a page's HTML and Starlight's stylesheet arrive at about a fifth of their
 * size, which is most of what a phone on a slow network waits for before the
 * first paint (`npm run bench:lighthouse`, docs/site.md).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { AstroIntegration } from 'astro';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Text formats; images, fonts and Pagefind's index (gzipped by Pagefind itself) are left alone. */
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.xml', '.txt']);
/** Below this, a response fits in a packet or two anyway. */
const MIN_BYTES = 1024;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Writes `.br` and `.gz` beside each compressible file under `dir`; returns how many and their bytes before and after (Brotli). */
export async function precompress(
  dir: string,
): Promise<{ files: number; before: number; after: number }> {
  const totals = { files: 0, before: 0, after: 0 };
  const work: Promise<void>[] = [];
  for await (const path of files(dir)) {
    if (!COMPRESSIBLE.has(extname(path)) || (await stat(path)).size < MIN_BYTES) continue;
    work.push(
      (async () => {
        const content = await readFile(path);
        const [br, gz] = await Promise.all([
          brotli(content, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
          gzipped(content, { level: constants.Z_BEST_COMPRESSION }),
        ]);
        await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
        totals.files += 1;
        totals.before += content.length;
        totals.after += br.length;
      })(),
    );
  }
  await Promise.all(work);
  return totals;
}

export function precompressIntegration(): AstroIntegration {
  return {
    name: 'drydock-precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const { files, before, after } = await precompress(fileURLToPath(dir));
        const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
        logger.info(`${files} files compressed: ${kib(before)} → ${kib(after)} (Brotli)`);
      },
    },
  };
}

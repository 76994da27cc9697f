/**
 * The lab page's error catalogue as the site builds it (site/lib/known-errors.ts
 * reads Astro's content collections, which only exist inside a build), read here
 * straight from content/ for the unit tests and bench:errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { KnownError } from '../../site/lib/error-match.ts';
import { ROOT } from './platform.ts';

/** Every `symptoms` entry of content/, lessons first. */
export function catalogue(): KnownError[] {
  const known: KnownError[] = [];
  for (const folder of ['lessons', 'tutorial']) {
    for (const file of readdirSync(join(ROOT, 'content', folder)).sort()) {
      const text = readFileSync(join(ROOT, 'content', folder, file), 'utf8');
      const front = parseYaml(text.split(/^---$/m)[1]!) as { title: string; symptoms?: string[] };
      for (const message of front.symptoms ?? [])
        known.push({
          message,
          href: `/${folder}/${file.replace(/\.mdx?$/, '')}/`,
          title: front.title,
        });
    }
  }
  return known;
}

/** `size` characters of build-log-like output: colours, a prompt, progress, and no known error. */
export function buildLogChunk(size: number): string {
  const lines = [
    '\x1b[32m#12 [build 3/7] RUN apt-get install -y --no-install-recommends ca-certificates\x1b[0m\r\n',
    '#12 0.512 Reading package lists... 42%\r',
    'Step 4/9 : COPY . /app\r\n',
    '\x1b[1;34mroot@sandbox\x1b[0m:\x1b[1;32m~/lab\x1b[0m# docker compose ps\r\n',
    'harborlog-web-1   harborlog:1.1   "/entrypoint.sh"   web   Up 3 minutes   0.0.0.0:8080->80/tcp\r\n',
    'y\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\ny\n',
  ].join('');
  return lines.repeat(Math.ceil(size / lines.length)).slice(0, size);
}

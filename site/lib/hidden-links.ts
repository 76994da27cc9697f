/**
 * Astro integration: after the build, a link in any page to a page a content
 * pack hides (`hide:`, docs/content-packs.md) becomes its plain text, so a
 * built-in lesson that mentions a hidden one does not send readers to a 404.
 * On the built HTML rather than in the Markdown pipeline: Astro's default
 * Markdown processor takes no rehype plugins, and the links to hide may be in
 * MDX, in a lab's Markdown or in a component.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** `html` with every `<a>` whose href is one of `hrefs` (`/lessons/x/`, with or without `#…`) replaced by its content. */
export function unlinkPages(html: string, hrefs: readonly string[]): string {
  if (hrefs.length === 0) return html;
  const paths = hrefs.map((href) => href.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const link = new RegExp(
    `<a\\b[^>]*\\bhref="(?:${paths.join('|')})/?(?:#[^"]*)?"[^>]*>([\\s\\S]*?)</a>`,
    'g',
  );
  return html.replace(link, '$1');
}

export function hiddenLinksIntegration(hrefs: readonly string[]): AstroIntegration {
  return {
    name: 'drydock-hidden-links',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        if (hrefs.length === 0) return;
        const root = fileURLToPath(dir);
        let changed = 0;
        for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
          const path = join(entry.parentPath, entry.name);
          const html = await readFile(path, 'utf8');
          const unlinked = unlinkPages(html, hrefs);
          if (unlinked !== html) {
            await writeFile(path, unlinked);
            changed++;
          }
        }
        logger.info(`links to ${hrefs.length} hidden page(s) removed from ${changed} page(s)`);
      },
    },
  };
}

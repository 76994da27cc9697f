/**
 * Every lab manifest checked without an engine: the same loader the site build
 * and the server use (lab-format/load.ts), run on each folder separately so one
 * broken lab does not hide the next, plus the lessons each lab links to.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LabFormatError, loadLab, MANIFEST_FILE } from '../../lab-format/load.ts';

export interface LabValidation {
  slug: string;
  ok: boolean;
  /** `file: field: message` with a hint, as LabFormatError words it. */
  problem?: string;
  file?: string;
  field?: string;
}

export function validateLabs(root: string): LabValidation[] {
  const labsDir = join(root, 'labs');
  if (!existsSync(labsDir)) return [];
  return readdirSync(labsDir)
    .filter(
      (name) =>
        !name.startsWith('.') &&
        !name.startsWith('_') &&
        statSync(join(labsDir, name)).isDirectory(),
    )
    .sort()
    .map((slug) => {
      try {
        const lab = loadLab(join(labsDir, slug), {
          imagesDir: join(root, 'images'),
          displayRoot: root,
        });
        lab.manifest.lessons.forEach((lesson, i) => {
          const found = ['.mdx', '.md'].some((ext) =>
            existsSync(join(root, 'content', lesson + ext)),
          );
          if (!found)
            throw new LabFormatError(
              relative(root, join(lab.dir, MANIFEST_FILE)),
              `lessons[${i}]`,
              `no lesson "${lesson}" in content/ (looked for content/${lesson}.mdx and .md)`,
              'a lesson is named by its path in content/ without the extension, e.g. lessons/named-volume-masks-image',
            );
        });
        return { slug, ok: true };
      } catch (error) {
        if (!(error instanceof LabFormatError)) throw error;
        return {
          slug,
          ok: false,
          problem: error.message,
          file: error.file,
          ...(error.field ? { field: error.field } : {}),
        };
      }
    });
}

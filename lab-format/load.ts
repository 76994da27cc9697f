/**
 * Reads and validates lab folders. Every problem is reported with the file and
 * the field, so a broken lab fails the site build and the server start the same way.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type * as z from 'zod';
import { compareCodeUnits } from './code-unit-order.ts';
import { findSection, lessonFile } from './lesson-sections.ts';
import { runMarkerProblems } from './run-marker.ts';
import { labManifestSchema, type LabManifest } from './schema.ts';

export const MANIFEST_FILE = 'lab.yaml';

export interface Lab {
  slug: string;
  /** Absolute path of the lab folder. */
  dir: string;
  manifest: LabManifest;
  /** The shared script helpers its scripts run with (`labs/_lib` of its source, or the built-in one). */
  libDir: string;
  /** `built-in`, or the content pack it comes from (lab-format/content-packs.ts). */
  source: string;
}

export class LabFormatError extends Error {
  readonly file: string;
  readonly field: string | undefined;
  readonly hint: string | undefined;
  /** What is wrong, without the file, field and hint. */
  readonly problem: string;

  constructor(file: string, field: string | undefined, message: string, hint?: string) {
    super(`${file}${field ? `: ${field}` : ''}: ${message}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'LabFormatError';
    this.file = file;
    this.field = field;
    this.hint = hint;
    this.problem = message;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function firstIssue(error: z.ZodError, file: string): LabFormatError {
  const issue = error.issues[0]!;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return new LabFormatError(
    file,
    fieldPath(issue.path) || undefined,
    message + more,
    'see docs/writing-labs.md for the manifest reference',
  );
}

export interface LoadOptions {
  /**
   * Folders of buildable images (`images/`, and content packs' ones); when given,
   * `images` entries must name a subfolder of one of them.
   */
  imagesDir?: string | readonly string[];
  /** Shown in messages instead of absolute paths. Defaults to the current directory. */
  displayRoot?: string;
  /**
   * Folders of lessons (`content/`, and content packs' folders), winner first; when
   * given, `lessons` entries must name a lesson in one, and each task's
   * `explainedIn` a heading of one.
   */
  contentDir?: string | readonly string[];
  /** Defaults for a lab from a content pack: the pack's name and its helpers' folder. */
  source?: string;
  libDir?: string;
}

const list = (dirs: string | readonly string[]): readonly string[] =>
  typeof dirs === 'string' ? [dirs] : dirs;

export function loadLab(dir: string, options: LoadOptions = {}): Lab {
  const slug = dir.split(/[\\/]/).filter(Boolean).pop()!;
  const file = join(dir, MANIFEST_FILE);
  const shown = relative(options.displayRoot ?? process.cwd(), file);

  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) {
    throw new LabFormatError(
      shown,
      undefined,
      `folder name "${slug}" is not a valid lab slug`,
      'use kebab-case, e.g. labs/named-volume-masks-image',
    );
  }
  if (!existsSync(file))
    throw new LabFormatError(
      shown,
      undefined,
      'file is missing',
      `every folder in labs/ needs a ${MANIFEST_FILE}`,
    );

  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new LabFormatError(
      shown,
      undefined,
      `is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`,
    );
  }

  const parsed = labManifestSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error, shown);
  const manifest = parsed.data;

  const mustExist = (path: string, field: string) => {
    const full = join(dir, path);
    if (!existsSync(full) || !statSync(full).isFile()) {
      throw new LabFormatError(
        shown,
        field,
        `file "${path}" does not exist in ${relative(options.displayRoot ?? process.cwd(), dir)}/`,
      );
    }
  };
  if (manifest.prepare) mustExist(manifest.prepare, 'prepare');
  mustExist(manifest.setup, 'setup');
  mustExist(manifest.solve, 'solve');
  const seen = new Set<string>();
  manifest.tasks.forEach((task, i) => {
    if (seen.has(task.id))
      throw new LabFormatError(shown, `tasks[${i}].id`, `duplicate task id "${task.id}"`);
    seen.add(task.id);
    mustExist(task.check, `tasks[${i}].check`);
  });
  manifest.wrongFixes.forEach((fix, i) => {
    mustExist(fix.script, `wrongFixes[${i}].script`);
    if (!seen.has(fix.caughtBy))
      throw new LabFormatError(
        shown,
        `wrongFixes[${i}].caughtBy`,
        `no task has the id "${fix.caughtBy}"`,
        `task ids: ${[...seen].join(', ')}`,
      );
  });
  manifest.rightFixes.forEach((fix, i) => mustExist(fix.script, `rightFixes[${i}].script`));
  const markdownFields: (readonly [field: string, markdown: string, runAllowed: boolean])[] = [
    ['intro', manifest.intro, true] as const,
    ...manifest.tasks.flatMap((task, i) => [
      [`tasks[${i}].instructions`, task.instructions, true] as const,
      ...task.hints.map((hint, j) => [`tasks[${i}].hints[${j}]`, hint, false] as const),
      [`tasks[${i}].solution`, task.solution, false] as const,
    ]),
  ];
  for (const [field, markdown, runAllowed] of markdownFields) {
    const [problem] = runMarkerProblems(markdown, runAllowed);
    if (problem)
      throw new LabFormatError(
        shown,
        field,
        problem,
        'see "Commands to click" in docs/writing-labs.md',
      );
  }
  if (options.imagesDir) {
    const imageDirs = list(options.imagesDir).filter((dir) => existsSync(dir));
    manifest.images.forEach((image, i) => {
      if (!imageDirs.some((dir) => existsSync(join(dir, image)))) {
        throw new LabFormatError(
          shown,
          `images[${i}]`,
          `unknown image "${image}"`,
          `images are folders in images/: ${imageDirs.flatMap((dir) => readdirSync(dir)).join(', ')}`,
        );
      }
    });
  }
  if (options.contentDir) {
    const contentDir = options.contentDir;
    manifest.lessons.forEach((lesson, i) => {
      if (!lessonFile(contentDir, lesson))
        throw new LabFormatError(
          shown,
          `lessons[${i}]`,
          `no lesson "${lesson}" in content/ (looked for content/${lesson}.mdx and .md)`,
          'a lesson is named by its path in content/ without the extension, e.g. lessons/named-volume-masks-image',
        );
    });
    manifest.tasks.forEach((task, i) => {
      if (!task.explainedIn) return;
      const found = findSection(contentDir, task.explainedIn);
      if (!found.ok)
        throw new LabFormatError(shown, `tasks[${i}].explainedIn`, found.problem, found.hint);
    });
  }
  return {
    slug,
    dir,
    manifest,
    libDir: options.libDir ?? join(dir, '..', '_lib'),
    source: options.source ?? 'built-in',
  };
}

/** Loads every lab in `labsDir` (each subfolder is one lab), sorted by slug. */
export function loadLabs(labsDir: string, options: LoadOptions = {}): Lab[] {
  if (!existsSync(labsDir)) return [];
  return (
    readdirSync(labsDir)
      // statSync follows symlinks, so a lab may be linked in from elsewhere.
      .filter(
        (name) =>
          !name.startsWith('.') &&
          !name.startsWith('_') &&
          statSync(join(labsDir, name)).isDirectory(),
      )
      .map((name) => loadLab(join(labsDir, name), options))
      .sort((a, b) => compareCodeUnits(a.slug, b.slug))
  );
}

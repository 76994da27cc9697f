/**
 * Content packs: folders outside this repository with `lessons/`, `labs/` and
 * `images/` in Drydock's own formats, named by DRYDOCK_CONTENT (docs/content-packs.md).
 * The site build, the lab server and the CLI all resolve them here, so they
 * agree on which lesson, lab and image wins: a pack's page replaces a built-in
 * one of the same id, a later pack's replaces an earlier one's, and a pack's
 * `hide:` removes pages of the sources before it.
 *
 * Free of Astro and Fastify (the site build imports it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, join, relative, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import * as z from 'zod';
import { compareCodeUnits } from './code-unit-order.ts';
import { type Lab, LabFormatError, loadLab, MANIFEST_FILE } from './load.ts';

export const PACK_FILE = 'drydock-pack.yaml';

/** Where a lesson, lab or image comes from. */
export interface ContentSource {
  /** `built-in`, or the pack's name. */
  name: string;
  /** Shown as the sidebar group of the pack's lessons. */
  title: string;
  builtIn: boolean;
  /** Absolute folder of the source. */
  root: string;
  /** Lesson ids are paths under this folder without the extension (`lessons/x`). */
  lessonsBase: string;
  /** Folders under lessonsBase holding its lessons. */
  lessonFolders: string[];
  labsDir: string;
  imagesDir: string;
  /** Id patterns (`lessons/x`, `labs/x`, `tutorial/*`, `*`) this source hides from the sources before it. */
  hide: string[];
}

export class ContentPackError extends Error {
  readonly pack: string;
  readonly file: string;
  readonly field: string | undefined;

  constructor(pack: string, file: string, field: string | undefined, problem: string) {
    super(`content pack "${pack}": ${file}${field ? `: ${field}` : ''}: ${problem}`);
    this.name = 'ContentPackError';
    this.pack = pack;
    this.file = file;
    this.field = field;
  }
}

const ID_PATTERN = /^(?:\*|(?:lessons|tutorial|labs)\/(?:\*|[a-z0-9]+(?:-[a-z0-9]+)*))$/;

const packFileSchema = z.strictObject({
  /** The pack's name in messages, logs and the authors' page. @example "acme-platform" */
  name: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and dashes')
    .optional(),
  /** The sidebar group of the pack's lessons. @example "Acme platform team" */
  title: z.string().min(1).max(60).optional(),
  /**
   * Pages of the sources before this one that the site, search and API leave out:
   * `lessons/<slug>`, `labs/<slug>`, `tutorial/<page>`, `lessons/*`, `labs/*`,
   * `tutorial/*`, or `*` for all of them (a pack used instead of the built-in content).
   */
  hide: z
    .array(
      z
        .string()
        .regex(
          ID_PATTERN,
          'write lessons/<slug>, labs/<slug>, tutorial/<page>, lessons/*, labs/*, tutorial/* or *',
        ),
    )
    .default([]),
});

/** The sources in order of precedence, lowest first: built-in content, then each pack. */
export function contentSources(
  projectRoot: string,
  packs: string | undefined = process.env.DRYDOCK_CONTENT,
): ContentSource[] {
  const root = resolve(projectRoot);
  const sources: ContentSource[] = [
    {
      name: 'built-in',
      title: 'Lessons',
      builtIn: true,
      root,
      lessonsBase: join(root, 'content'),
      lessonFolders: ['lessons', 'tutorial'],
      labsDir: join(root, 'labs'),
      imagesDir: join(root, 'images'),
      hide: [],
    },
  ];
  for (const folder of packFolders(packs, root)) {
    const source = readPack(folder);
    const clash = sources.find((s) => s.name === source.name);
    if (clash)
      throw new ContentPackError(
        source.name,
        display(join(folder, PACK_FILE)),
        'name',
        `two packs are called "${source.name}" (${clash.root} and ${folder}); give one another name`,
      );
    sources.push(source);
  }
  return sources;
}

/** DRYDOCK_CONTENT: folders separated by the platform's path delimiter (`:`) or commas. */
export function packFolders(text: string | undefined, projectRoot: string): string[] {
  if (!text?.trim()) return [];
  return text
    .split(new RegExp(`[${delimiter},]`))
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => resolve(projectRoot, part));
}

function readPack(folder: string): ContentSource {
  const fallback = basename(folder);
  const shown = (file: string) => display(join(folder, file));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new ContentPackError(
      fallback,
      folder,
      undefined,
      'DRYDOCK_CONTENT names a folder that does not exist',
    );
  const file = join(folder, PACK_FILE);
  let spec: z.infer<typeof packFileSchema> = { hide: [] };
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
    } catch (error) {
      const problem = error instanceof YAMLParseError ? error.message : String(error);
      throw new ContentPackError(
        fallback,
        shown(PACK_FILE),
        undefined,
        `not valid YAML: ${problem}`,
      );
    }
    const parsed = packFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      // The name it gives itself, when that part is sound, is the one its authors know it by.
      const named = (raw as { name?: unknown }).name;
      throw new ContentPackError(
        typeof named === 'string' && issue.path[0] !== 'name' ? named : fallback,
        shown(PACK_FILE),
        issue.path
          .map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p)))
          .join('') || undefined,
        issue.message,
      );
    }
    spec = parsed.data;
  }
  const contents = ['lessons', 'labs', 'images'].filter((d) => existsSync(join(folder, d)));
  if (contents.length === 0)
    throw new ContentPackError(
      spec.name ?? fallback,
      shown('.'),
      undefined,
      'has none of lessons/, labs/ or images/ (is DRYDOCK_CONTENT naming the right folder?)',
    );
  const name = spec.name ?? slugOf(fallback);
  return {
    name,
    title: spec.title ?? name,
    builtIn: false,
    root: folder,
    lessonsBase: folder,
    lessonFolders: ['lessons'],
    labsDir: join(folder, 'labs'),
    imagesDir: join(folder, 'images'),
    hide: spec.hide,
  };
}

/** A path as messages show it: relative to the working directory when under it, else absolute. */
function display(path: string): string {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith('..') ? near : path;
}

function slugOf(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'pack'
  );
}

/** Whether `id` (`lessons/x`, `labs/x`, `tutorial/x`) matches a `hide:` pattern. */
export function matchesHide(pattern: string, id: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return id.startsWith(pattern.slice(0, -1));
  return pattern === id;
}

/**
 * Whether the page `id` of source `index` is shown: no later source has a page
 * of the same id (`present`) or hides it.
 */
export function wins(
  sources: readonly ContentSource[],
  index: number,
  id: string,
  present: (source: ContentSource, id: string) => boolean,
): boolean {
  for (const later of sources.slice(index + 1)) {
    if (present(later, id) || later.hide.some((p) => matchesHide(p, id))) return false;
  }
  return true;
}

const LESSON_EXTENSIONS = ['.mdx', '.md'];

/** Lesson ids a source holds: `lessons/x` for lessons/x.mdx; `_`-prefixed files are skipped. */
export function lessonIds(source: ContentSource): string[] {
  const ids: string[] = [];
  for (const folder of source.lessonFolders) {
    const dir = join(source.lessonsBase, folder);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('_')) continue;
      const ext = LESSON_EXTENSIONS.find((e) => entry.name.endsWith(e));
      if (!ext) continue;
      const path = relative(source.lessonsBase, join(entry.parentPath, entry.name));
      ids.push(path.slice(0, -ext.length).split('\\').join('/'));
    }
  }
  return ids.sort();
}

function hasLesson(source: ContentSource, id: string): boolean {
  return LESSON_EXTENSIONS.some((ext) => existsSync(join(source.lessonsBase, id + ext)));
}

function hasLab(source: ContentSource, id: string): boolean {
  return existsSync(join(source.labsDir, id.slice('labs/'.length)));
}

/** Each shown lesson: its id and the source whose file wins. */
export function shownLessons(
  sources: readonly ContentSource[],
): { id: string; source: ContentSource }[] {
  return sources.flatMap((source, index) =>
    lessonIds(source)
      .filter((id) => wins(sources, index, id, hasLesson))
      .map((id) => ({ id, source })),
  );
}

/** The lab folder names of a source that are shown (not replaced or hidden by a later source). */
export function shownLabSlugs(sources: readonly ContentSource[], index: number): string[] {
  return labFolders(sources[index]!).filter((name) => wins(sources, index, `labs/${name}`, hasLab));
}

/** A source's lab folders: `labs/*` but `_lib` and hidden ones. */
function labFolders(source: ContentSource): string[] {
  if (!existsSync(source.labsDir)) return [];
  return readdirSync(source.labsDir)
    .filter((name) => !name.startsWith('.') && !name.startsWith('_'))
    .filter((name) => statSync(join(source.labsDir, name)).isDirectory());
}

/**
 * The addresses of pages a pack hides that no source shows any more
 * (`/lessons/x/`, `/labs/x/`): links to them in other pages' text are unlinked.
 */
export function hiddenPages(sources: readonly ContentSource[]): string[] {
  const shown = new Set(shownLessons(sources).map((lesson) => lesson.id));
  const labs = new Set(sources.flatMap((_, index) => shownLabSlugs(sources, index)));
  const gone = sources.flatMap((source) => [
    ...lessonIds(source).filter((id) => !shown.has(id)),
    ...labFolders(source)
      .filter((name) => !labs.has(name))
      .map((name) => `labs/${name}`),
  ]);
  return [...new Set(gone)].map((id) => `/${id}/`).sort();
}

/** The lesson folders lab manifests resolve `lessons:` and `explainedIn` against, winner first. */
export function lessonBases(sources: readonly ContentSource[]): string[] {
  return sources.map((s) => s.lessonsBase).reverse();
}

/** Image folders, lowest first (a pack's image of a built-in image's name replaces it). */
export function imageDirs(sources: readonly ContentSource[]): string[] {
  return sources.map((s) => s.imagesDir).filter((dir) => existsSync(dir));
}

export interface ContentLabsOptions {
  /** Check `lessons:` and `explainedIn` against the shown lessons (the site build and `labs validate` do). */
  lessons?: boolean;
  /** Shown in messages instead of absolute paths. */
  displayRoot?: string;
}

/** A shown lab: which source it comes from and its slug there. */
export interface ShownLab {
  source: ContentSource;
  slug: string;
}

/** Every shown lab of every source (or of the sources whose folders `only` names), sorted by slug. */
export function shownLabs(sources: readonly ContentSource[], only?: readonly string[]): ShownLab[] {
  return sources
    .flatMap((source, index) =>
      only && !only.includes(source.root)
        ? []
        : shownLabSlugs(sources, index).map((slug) => ({ source, slug })),
    )
    .sort((a, b) => compareCodeUnits(a.slug, b.slug));
}

/**
 * Loads one shown lab. A pack's lab runs with its pack's `labs/_lib/` helpers
 * when the pack has them, else with the built-in ones; a problem in it is named
 * with the pack, the file and the field.
 */
export function loadShownLab(
  sources: readonly ContentSource[],
  { source, slug }: ShownLab,
  options: ContentLabsOptions = {},
): Lab {
  const ownLib = join(source.labsDir, '_lib');
  // A pack's files are named from the folder holding the pack.
  const displayRoot = source.builtIn
    ? (options.displayRoot ?? source.root)
    : join(source.root, '..');
  try {
    const lab = loadLab(join(source.labsDir, slug), {
      imagesDir: imageDirs(sources),
      ...(options.lessons ? { contentDir: lessonBases(sources) } : {}),
      displayRoot,
      source: source.name,
      libDir: source.builtIn || existsSync(ownLib) ? ownLib : join(sources[0]!.labsDir, '_lib'),
    });
    if (options.lessons)
      refuseHiddenLessons(sources, lab, relative(displayRoot, join(lab.dir, MANIFEST_FILE)));
    return lab;
  } catch (error) {
    if (source.builtIn || !(error instanceof LabFormatError)) throw error;
    throw new LabFormatError(
      `content pack "${source.name}": ${error.file}`,
      error.field,
      error.problem,
      error.hint,
    );
  }
}

/**
 * A shown lab must not send learners to a lesson a pack hides: the lesson exists
 * on disk (loadLab found it) but not on the site, so its links would be dead.
 */
function refuseHiddenLessons(sources: readonly ContentSource[], lab: Lab, manifestFile: string) {
  const shown = new Set(shownLessons(sources).map((lesson) => lesson.id));
  const references = [
    ...lab.manifest.lessons.map((id, i) => ({ id, field: `lessons[${i}]` })),
    ...lab.manifest.tasks.flatMap((task, i) =>
      task.explainedIn
        ? [{ id: task.explainedIn.split('#')[0]!, field: `tasks[${i}].explainedIn` }]
        : [],
    ),
  ];
  for (const { id, field } of references) {
    if (shown.has(id)) continue;
    const hider = sources.find((source) => source.hide.some((p) => matchesHide(p, id)));
    throw new LabFormatError(
      manifestFile,
      field,
      `lesson "${id}" is hidden${hider ? ` by content pack "${hider.name}"` : ''}, so the lab would link to a page that is not there`,
      `hide the lab too (labs/${lab.slug} in hide:), or stop hiding the lesson`,
    );
  }
}

/** Every shown lab of every source, sorted by slug (lab-format/content-packs.ts decides which). */
export function loadContentLabs(
  sources: readonly ContentSource[],
  options: ContentLabsOptions = {},
): Lab[] {
  return shownLabs(sources).map((shown) => loadShownLab(sources, shown, options));
}

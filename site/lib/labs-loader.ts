/**
 * Content loader for the `labs` collection: reads every `labs/<slug>/lab.yaml`,
 * built-in and content packs' (lab-format/content-packs.ts: a pack's lab of the
 * same name wins, `hide:` removes one), through lab-format's loader (the same
 * code the lab server uses) and renders
 * the Markdown fields to HTML at build time. A broken manifest fails the build
 * with the file, the field and a hint; it is never skipped.
 */
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { AstroError } from 'astro/errors';
import { z } from 'astro/zod';
import {
  ContentPackError,
  contentSources,
  lessonBases,
  loadContentLabs,
} from '../../lab-format/content-packs.ts';
import { findSection } from '../../lab-format/lesson-sections.ts';
import { LabFormatError, MANIFEST_FILE, type Lab } from '../../lab-format/load.ts';
import { lessonHref } from './labs.ts';

const html = z.string();

/** A lab as the site sees it: the manifest's learner-facing fields, Markdown rendered to HTML. */
export const renderedLabSchema = z.object({
  /** Folder name in `labs/`, also the URL: `/labs/<slug>/`. */
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.number(),
  /** Docs collection ids of the lessons this lab practises, e.g. `lessons/named-volume-masks-image`. */
  lessons: z.array(z.string()),
  /** Where the learner's shell starts in the sandbox. */
  workdir: z.string(),
  /** Sign-in groups that may see it; absent, everyone (docs/content-packs.md). */
  groups: z.array(z.string()).optional(),
  /** `built-in`, or the content pack it comes from. */
  source: z.string(),
  intro: html,
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      instructions: html,
      hints: z.array(html),
      solution: html,
      /** The lesson section that explains the task, linked beside a failing check's message. */
      explainedIn: z.object({ href: z.string(), title: z.string() }).optional(),
    }),
  ),
});

export type RenderedLab = z.infer<typeof renderedLabSchema>;

/** Turns lab-format's error into Astro's, so the build output shows the problem and the hint apart. */
function toAstroError(error: LabFormatError): AstroError {
  const hintAt = error.message.indexOf('\n  hint:');
  const message = hintAt === -1 ? error.message : error.message.slice(0, hintAt);
  return new AstroError(`Lab manifest error: ${message}`, error.hint);
}

/** `lessons/x#anchor` to the section's page address and title (loadLabs checked that it exists). */
function explained(contentDir: readonly string[], reference: string | undefined) {
  if (!reference) return {};
  const found = findSection(contentDir, reference);
  if (!found.ok) throw new Error(`${reference}: ${found.problem}`);
  return {
    explainedIn: {
      href: `${lessonHref(found.lesson)}#${found.section.anchor}`,
      title: found.section.title,
    },
  };
}

async function renderLab(
  lab: Lab,
  context: LoaderContext,
  contentDir: readonly string[],
): Promise<RenderedLab> {
  const fileURL = pathToFileURL(join(lab.dir, MANIFEST_FILE));
  const render = async (markdown: string) =>
    (await context.renderMarkdown(markdown, { fileURL })).html;
  const { manifest } = lab;
  return {
    slug: lab.slug,
    title: manifest.title,
    summary: manifest.summary,
    difficulty: manifest.difficulty,
    minutes: manifest.minutes,
    lessons: manifest.lessons,
    workdir: manifest.workdir,
    ...(manifest.groups ? { groups: manifest.groups } : {}),
    source: lab.source,
    intro: await render(manifest.intro),
    tasks: await Promise.all(
      manifest.tasks.map(async (task) => ({
        id: task.id,
        title: task.title,
        instructions: await render(task.instructions),
        hints: await Promise.all(task.hints.map(render)),
        solution: await render(task.solution),
        ...explained(contentDir, task.explainedIn),
      })),
    ),
  };
}

export function labsLoader(): Loader {
  return {
    name: 'drydock-labs-loader',
    async load(context) {
      const root = fileURLToPath(context.config.root);
      const sources = contentSources(root);
      const contentDir = lessonBases(sources);
      const labsDirs = sources.map((source) => source.labsDir);

      const sync = async () => {
        let labs: Lab[];
        try {
          labs = loadContentLabs(sources, { lessons: true, displayRoot: root });
        } catch (error) {
          if (error instanceof LabFormatError) throw toAstroError(error);
          if (error instanceof ContentPackError) throw new AstroError(error.message);
          throw error;
        }
        const entries = await Promise.all(
          labs.map(async (lab) => {
            const data = await context.parseData({
              id: lab.slug,
              data: await renderLab(lab, context, contentDir),
            });
            return {
              id: lab.slug,
              data,
              digest: context.generateDigest(data),
              filePath: relative(root, join(lab.dir, MANIFEST_FILE)),
            };
          }),
        );
        // Only what changed is written: in astro dev every write of the store reloads
        // the open pages, and an author's edit of a check script changes no entry (a
        // reload in the middle of their Check lost its verdict).
        const kept = new Set(entries.map((entry) => entry.id));
        for (const id of context.store.keys()) if (!kept.has(id)) context.store.delete(id);
        for (const entry of entries) context.store.set(entry);
        const packs = sources.length - 1;
        context.logger.info(
          `Loaded ${entries.length} lab(s) from labs/${packs ? ` and ${packs} content pack(s)` : ''}`,
        );
      };

      await sync();

      // In `astro dev`, reload when anything in a labs/ folder changes; a broken
      // manifest is reported without stopping the dev server (the build still fails on it).
      const watcher = context.watcher;
      if (watcher) {
        for (const dir of labsDirs) watcher.add(dir);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onChange = (path: string) => {
          if (!labsDirs.some((dir) => resolve(path).startsWith(dir + sep))) return;
          clearTimeout(timer);
          timer = setTimeout(() => {
            sync().catch((error: unknown) => context.logger.error((error as Error).message));
          }, 100);
        };
        watcher.on('change', onChange).on('add', onChange).on('unlink', onChange);
      }
    },
  };
}

/**
 * Content loader for the `labs` collection: reads every `labs/<slug>/lab.yaml`
 * through lab-format's loader (the same code the lab server uses) and renders
 * the Markdown fields to HTML at build time. A broken manifest fails the build
 * with the file, the field and a hint; it is never skipped.
 */
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, LoaderContext } from 'astro/loaders';
import { AstroError } from 'astro/errors';
import { z } from 'astro/zod';
import { LabFormatError, loadLabs, MANIFEST_FILE, type Lab } from '../../lab-format/load.ts';

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
  intro: html,
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      instructions: html,
      hints: z.array(html),
      solution: html,
    }),
  ),
});

export type RenderedLab = z.infer<typeof renderedLabSchema>;

export interface LabsLoaderOptions {
  /** Folder of lab folders, relative to the project root. @example "labs" */
  labsDir: string;
  /** Folder of buildable images, relative to the project root; `images:` entries must name one. @example "images" */
  imagesDir: string;
}

/** Turns lab-format's error into Astro's, so the build output shows the problem and the hint apart. */
function toAstroError(error: LabFormatError): AstroError {
  const hintAt = error.message.indexOf('\n  hint:');
  const message = hintAt === -1 ? error.message : error.message.slice(0, hintAt);
  return new AstroError(`Lab manifest error: ${message}`, error.hint);
}

async function renderLab(lab: Lab, context: LoaderContext): Promise<RenderedLab> {
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
    intro: await render(manifest.intro),
    tasks: await Promise.all(
      manifest.tasks.map(async (task) => ({
        id: task.id,
        title: task.title,
        instructions: await render(task.instructions),
        hints: await Promise.all(task.hints.map(render)),
        solution: await render(task.solution),
      })),
    ),
  };
}

export function labsLoader(options: LabsLoaderOptions): Loader {
  return {
    name: 'drydock-labs-loader',
    async load(context) {
      const root = fileURLToPath(context.config.root);
      const labsDir = resolve(root, options.labsDir);
      const imagesDir = resolve(root, options.imagesDir);

      const sync = async () => {
        let labs: Lab[];
        try {
          labs = loadLabs(labsDir, { imagesDir, displayRoot: root });
        } catch (error) {
          throw error instanceof LabFormatError ? toAstroError(error) : error;
        }
        const entries = await Promise.all(
          labs.map(async (lab) => {
            const data = await context.parseData({
              id: lab.slug,
              data: await renderLab(lab, context),
            });
            return {
              id: lab.slug,
              data,
              digest: context.generateDigest(data),
              filePath: relative(root, join(lab.dir, MANIFEST_FILE)),
            };
          }),
        );
        context.store.clear();
        for (const entry of entries) context.store.set(entry);
        context.logger.info(`Loaded ${entries.length} lab(s) from ${options.labsDir}/`);
      };

      await sync();

      // In `astro dev`, reload when anything in labs/ changes; a broken manifest is
      // reported without stopping the dev server (the build still fails on it).
      const watcher = context.watcher;
      if (watcher) {
        watcher.add(labsDir);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onChange = (path: string) => {
          if (!resolve(path).startsWith(labsDir + sep)) return;
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

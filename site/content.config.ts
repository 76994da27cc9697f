/**
 * Content collections. `docs` is Starlight's collection, read from the top-level
 * `content/` folder and content packs' `lessons/`; `labs` is read from `labs/`
 * and packs' `labs/` by the lab manifest loader (docs/content-packs.md).
 */
import { docsSchema } from '@astrojs/starlight/schema';
import { defineCollection, type SchemaContext } from 'astro:content';
import { z } from 'astro/zod';
import { labsLoader, renderedLabSchema } from './lib/labs-loader.ts';
import { lessonsLoader } from './lib/lessons-loader.ts';

const docs = defineCollection({
  // Starlight's docsLoader() only reads site/content/docs/; this is the same glob
  // (Markdown and MDX, files starting with `_` ignored) on content/ and on each
  // pack's lessons/. Ids are paths without extension, so content/lessons/x.mdx
  // (or a pack's lessons/x.mdx) is /lessons/x/.
  loader: lessonsLoader(),
  schema: (context: SchemaContext) => lessonSchema(context).transform(restricted),
});

/** Starlight's page fields and ours. */
const lessonSchema = (context: SchemaContext) =>
  docsSchema({
    extend: z.object({
      /**
       * Slug of the lab (a folder in `labs/`) that practises this lesson. The lesson
       * then shows a "Practise this in a live lab" card linking to `/labs/<slug>/`.
       * @example "named-volume-masks-image"
       */
      lab: z
        .string()
        .regex(
          /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
          'use the lab folder name, e.g. named-volume-masks-image',
        )
        .optional(),
      /**
       * Error messages or symptoms a learner might paste into search, so the lesson
       * is found by what they see rather than by what the fix is called.
       * @example ["cannot find module '/app/node_modules/express'"]
       */
      symptoms: z.array(z.string().min(1)).optional(),
      /**
       * Sign-in groups that may see the lesson (docs/content-packs.md). The page is
       * still built, but kept out of the sidebar and the search index here, out of
       * lists and the symptom index by the pages, and served by the lab server
       * only to someone signed in with one of these groups.
       * @example ["platform-team"]
       */
      groups: z.array(z.string().min(1).max(100)).min(1).optional(),
    }),
  })(context);

/** A lesson only some groups may see stays out of the sidebar and out of Pagefind's index. */
function restricted<
  T extends { groups?: string[] | undefined; pagefind: boolean; sidebar: { hidden: boolean } },
>(data: T): T {
  if (!data.groups) return data;
  return { ...data, pagefind: false, sidebar: { ...data.sidebar, hidden: true } };
}

const labs = defineCollection({
  loader: labsLoader(),
  schema: renderedLabSchema,
});

export const collections = { docs, labs };

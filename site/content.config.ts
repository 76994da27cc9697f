/**
 * Content collections. `docs` is Starlight's collection, read from the top-level
 * `content/` folder; `labs` is read from `labs/` by the lab manifest loader.
 */
import { docsSchema } from '@astrojs/starlight/schema';
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';
import { labsLoader, renderedLabSchema } from './lib/labs-loader.ts';

const docs = defineCollection({
  // Starlight's docsLoader() only reads site/content/docs/; this is the same glob
  // (Markdown and MDX, files starting with `_` ignored) on content/ instead.
  // Ids are paths without extension, so content/lessons/x.mdx is /lessons/x/.
  loader: glob({ base: './content', pattern: '**/[^_]*.{md,mdx}' }),
  schema: docsSchema({
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
    }),
  }),
});

const labs = defineCollection({
  loader: labsLoader({ labsDir: 'labs', imagesDir: 'images' }),
  schema: renderedLabSchema,
});

export const collections = { docs, labs };

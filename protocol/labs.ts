/** A lab as `GET /api/labs` and `GET /api/labs/:slug` describe it: its manifest's summary. */
import * as z from 'zod/mini';
import { TaskSummarySchema } from './session.ts';

export const LabSummarySchema = z.object({
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.int().check(z.positive()),
  /** Lesson slugs the lab practises, e.g. `lessons/named-volume-masks-image`. */
  lessons: z.array(z.string()),
  tasks: z.array(TaskSummarySchema),
});
export type LabSummary = z.infer<typeof LabSummarySchema>;

export const LabListSchema = z.array(LabSummarySchema);

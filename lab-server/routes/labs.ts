import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import type { Lab } from '../../lab-format/load.ts';
import { LabListSchema, LabSummarySchema, type LabSummary } from '../../protocol/labs.ts';
import { AppError } from '../errors.ts';

function summary(lab: Lab): LabSummary {
  const { title, summary, difficulty, minutes, lessons, tasks } = lab.manifest;
  return {
    slug: lab.slug,
    title,
    summary,
    difficulty,
    minutes,
    lessons,
    tasks: tasks.map((t) => ({ id: t.id, title: t.title })),
  };
}

/**
 * The labs this caller may see: a lab kept for some sign-in groups is listed,
 * and found, only for a request signed in with one of them; for anyone else it
 * is absent, as an unknown slug (docs/content-visibility.md).
 */
export async function labRoutes(app: FastifyInstance): Promise<void> {
  app.get('/labs', { schema: { response: { 200: LabListSchema } } }, async (request) =>
    (await app.visibility.labsFor(request)).map(summary),
  );

  app.get<{ Params: { slug: string } }>(
    '/labs/:slug',
    {
      schema: {
        params: z.object({ slug: z.string().check(z.maxLength(100)) }),
        response: { 200: LabSummarySchema },
      },
    },
    async (request) => {
      const lab = await app.visibility.labFor(request, request.params.slug);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.params.slug}".`);
      return summary(lab);
    },
  );
}

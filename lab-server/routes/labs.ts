import type { FastifyInstance } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { LabListSchema, LabSummarySchema, type LabSummary } from '../../protocol/labs.ts';
import { AppError } from '../errors.ts';
import { jsonSchema } from '../http/json-schema.ts';

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

export async function labRoutes(app: FastifyInstance): Promise<void> {
  app.get('/labs', { schema: { response: { 200: jsonSchema(LabListSchema) } } }, async () =>
    app.labs.labs.map(summary),
  );

  app.get<{ Params: { slug: string } }>(
    '/labs/:slug',
    {
      schema: {
        params: {
          type: 'object',
          properties: { slug: { type: 'string', maxLength: 100 } },
          required: ['slug'],
        },
        response: { 200: jsonSchema(LabSummarySchema) },
      },
    },
    async (request) => {
      const lab = app.labs.lab(request.params.slug);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.params.slug}".`);
      return summary(lab);
    },
  );
}

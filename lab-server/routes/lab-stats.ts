/**
 * The authors' figures over HTTP (docs/api.md, "A lab's figures"): for staff who
 * write and run labs (instructors and admins), `GET /api/labs/stats` lists every
 * lab's starts and completions, `GET /api/labs/:slug/stats` one lab's figures
 * task by task, both over the last `days` (default 30) of this server's sessions.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import type { Lab } from '../../lab-format/load.ts';
import {
  LabStatsIndexSchema,
  LabStatsSchema,
  STATS_DEFAULT_DAYS,
  STATS_MAX_DAYS,
  StatsQuerySchema,
  type LabStats,
  type LabStatsIndex,
  type StatsQuery,
} from '../../protocol/lab-stats.ts';
import { labStats } from '../authoring/lab-stats.ts';
import { AppError } from '../errors.ts';

const DAY = 24 * 3600_000;

export async function labStatsRoutes(app: FastifyInstance): Promise<void> {
  const authors = app.accounts.requireRole('instructor', 'admin');
  const querystring = StatsQuerySchema;

  const window = (query: StatsQuery) => {
    const days = query.days === undefined ? STATS_DEFAULT_DAYS : Number(query.days);
    if (days > STATS_MAX_DAYS)
      throw new AppError('BAD_REQUEST', `days must be 1 to ${STATS_MAX_DAYS}; it was ${days}.`);
    const until = Date.now();
    return { since: until - days * DAY, until };
  };
  const statsOf = async (lab: Lab, span: { since: number; until: number }) =>
    labStats(
      { slug: lab.slug, title: lab.manifest.title, tasks: lab.manifest.tasks },
      await app.store.labActivity(app.config.owner, lab.slug, span.since),
      span,
    );

  app.get<{ Querystring: StatsQuery }>(
    '/labs/stats',
    {
      preHandler: authors,
      schema: { querystring, response: { 200: LabStatsIndexSchema } },
    },
    async (request): Promise<LabStatsIndex> => {
      const span = window(request.query);
      const labs = [];
      for (const lab of await app.visibility.labsFor(request)) {
        const { started, completed } = await statsOf(lab, span);
        labs.push({ lab: lab.slug, title: lab.manifest.title, started, completed });
      }
      return {
        since: new Date(span.since).toISOString(),
        until: new Date(span.until).toISOString(),
        labs,
      };
    },
  );

  app.get<{ Params: { slug: string }; Querystring: StatsQuery }>(
    '/labs/:slug/stats',
    {
      preHandler: authors,
      schema: {
        params: z.object({ slug: z.string().check(z.maxLength(100)) }),
        querystring,
        response: { 200: LabStatsSchema },
      },
    },
    async (request): Promise<LabStats> => {
      const lab = await app.visibility.labFor(request, request.params.slug);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.params.slug}".`);
      return statsOf(lab, window(request.query));
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf } from '../admission/client-id.ts';
import * as z from 'zod/mini';
import { CheckResponseSchema, type CheckResponse } from '../../protocol/check-results.ts';
import {
  CreateSessionBodySchema,
  CreatedSessionSchema,
  SESSION_ID,
  SessionSchema,
  type CreateSessionBody,
  type CreatedSession,
  type SessionBasics,
  type Session as SessionView,
} from '../../protocol/session.ts';
import { SolutionResponseSchema, type SolutionResponse } from '../../protocol/solutions.ts';
import { AppError } from '../errors.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';

export const idParams = z.object({ id: z.string().check(z.regex(SESSION_ID)) });
const taskParams = z.object({
  id: z.string().check(z.regex(SESSION_ID)),
  task: z.string().check(z.maxLength(100)),
});

/** What every view of a session says of it (the learner's here, the operator's in admin.ts). */
export function sessionBasics(session: Session): SessionBasics {
  return {
    id: session.id,
    lab: session.lab.slug,
    state: session.state,
    message: session.message,
    ...(session.endReason ? { endReason: session.endReason } : {}),
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
  };
}

export function presentSession(
  session: Session,
  idleTimeoutMs: number,
  manager?: SessionManager,
): SessionView {
  return {
    ...sessionBasics(session),
    serverTime: new Date().toISOString(),
    idleTimeoutSeconds: Math.round(idleTimeoutMs / 1000),
    extensions: session.extensions,
    ...(manager && session.live
      ? { canExtend: manager.extensionRefusal(session) === undefined }
      : {}),
    tasks: session.lab.manifest.tasks.map((t) => ({ id: t.id, title: t.title })),
  };
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** The session manager, once labs are available; otherwise 503 with the backend's reason. */
export function availableSessions(app: FastifyInstance): SessionManager {
  if (!app.sessions.available)
    throw new AppError(
      'LABS_UNAVAILABLE',
      `Labs are unavailable: ${app.backend.status.reason ?? 'the lab server is not ready.'}`,
    );
  return app.sessions;
}

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const config = app.config;
  const sessions = () => availableSessions(app);
  const find = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const session = await sessions().lookup(request.params.id, bearerToken(request));
    session.touch();
    return session;
  };

  const sessionSchema = SessionSchema;

  app.post<{ Body: CreateSessionBody }>(
    '/sessions',
    {
      schema: {
        body: CreateSessionBodySchema,
        response: { 201: CreatedSessionSchema },
      },
    },
    async (request, reply) => {
      // A lab kept for groups the caller is not signed in with is "no lab" (docs/content-visibility.md).
      const lab = await app.visibility.labFor(request, request.body.lab);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.body.lab}".`);
      const unsupported = app.backend.status.unsupported?.[lab.slug];
      if (unsupported)
        throw new AppError(
          'LAB_UNSUPPORTED',
          `This lab is unavailable on this server: ${unsupported}`,
        );
      const manager = sessions();
      const { learner } = identityOf(request);
      const session = await app.admission.admit(
        request,
        request.body.ticket,
        () => manager.create(lab, { learner: learner.startsWith('learner:') ? learner : null }),
        () => app.pool.has(lab.slug),
      );
      await session.stored;
      // A warm start is a claim: answering once it is done saves the page a round trip.
      if (session.warm) await session.provisioned;
      // Only an adopted session lacks its token (the server keeps the hash); a new one has it.
      if (session.token === undefined) throw new Error(`new session ${session.id} has no token`);
      request.log.info({ session: session.id, lab: lab.slug }, 'session created');
      const created: CreatedSession = {
        ...presentSession(session, config.idleTimeoutMs, sessions()),
        token: session.token,
      };
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/sessions/:id',
    { schema: { params: idParams, response: { 200: sessionSchema } } },
    async (request) => presentSession(await find(request), config.idleTimeoutMs, sessions()),
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/extend',
    { schema: { params: idParams, response: { 200: sessionSchema } } },
    async (request) => {
      const session = await find(request);
      await sessions().extend(session);
      return presentSession(session, config.idleTimeoutMs, sessions());
    },
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/check',
    { schema: { params: idParams, response: { 200: CheckResponseSchema } } },
    async (request): Promise<CheckResponse> => {
      const session = await find(request);
      const results = await sessions().check(session);
      request.log.info(
        { session: session.id, passed: results.filter((r) => r.passed).length, of: results.length },
        'checked',
      );
      return { results, checkedAt: new Date().toISOString() };
    },
  );

  // Skip a task with the lab's solution (sessions/solutions.ts); one at a time per session.
  app.post<{ Params: { id: string; task: string } }>(
    '/sessions/:id/tasks/:task/solution',
    { schema: { params: taskParams, response: { 200: SolutionResponseSchema } } },
    async (request): Promise<SolutionResponse> => {
      const session = await find(request);
      const applied = await sessions().applySolution(session, request.params.task);
      request.log.info(
        { session: session.id, task: applied.task, shown: applied.shown },
        'solution applied',
      );
      return { ...applied, checkedAt: new Date().toISOString() };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/sessions/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      await sessions().end(await find(request), 'stopped');
      return reply.code(204).send();
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
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
import { AppError } from '../errors.ts';
import { jsonSchema } from '../http/json-schema.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';

export const idParams = jsonSchema(z.object({ id: z.string().check(z.regex(SESSION_ID)) }));

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

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const config = app.platform.config;
  const sessions = (): SessionManager => {
    const manager = app.platform.sessions;
    if (!manager)
      throw new AppError(
        'LABS_UNAVAILABLE',
        `Labs are unavailable: ${app.platform.status.reason ?? 'the lab server is not ready.'}`,
      );
    return manager;
  };
  const find = (request: FastifyRequest<{ Params: { id: string } }>) => {
    const session = sessions().get(request.params.id, bearerToken(request));
    session.touch();
    return session;
  };

  const sessionSchema = jsonSchema(SessionSchema);

  app.post<{ Body: CreateSessionBody }>(
    '/sessions',
    {
      schema: {
        body: jsonSchema(CreateSessionBodySchema),
        response: { 201: jsonSchema(CreatedSessionSchema) },
      },
    },
    async (request, reply) => {
      const lab = app.platform.lab(request.body.lab);
      if (!lab) throw new AppError('LAB_NOT_FOUND', `No lab is called "${request.body.lab}".`);
      const unsupported = app.platform.status.unsupported?.[lab.slug];
      if (unsupported)
        throw new AppError(
          'LAB_UNSUPPORTED',
          `This lab is unavailable on this server: ${unsupported}`,
        );
      const manager = sessions();
      const session = await app.admission.admit(request, request.body.ticket, () =>
        manager.create(lab),
      );
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
    async (request) => presentSession(find(request), config.idleTimeoutMs, sessions()),
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/extend',
    { schema: { params: idParams, response: { 200: sessionSchema } } },
    async (request) => {
      const session = find(request);
      sessions().extend(session);
      return presentSession(session, config.idleTimeoutMs, sessions());
    },
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/check',
    { schema: { params: idParams, response: { 200: jsonSchema(CheckResponseSchema) } } },
    async (request): Promise<CheckResponse> => {
      const session = find(request);
      if (!session.live) throw new AppError('SESSION_ENDED', session.message);
      if (session.state !== 'ready' || !session.runner)
        throw new AppError('SESSION_NOT_READY', `The sandbox is not ready yet: ${session.message}`);
      const results = await session.runner.check();
      for (const result of results)
        app.signals.emit('check-run', {
          lab: session.lab.slug,
          task: result.task,
          passed: result.passed,
        });
      request.log.info(
        { session: session.id, passed: results.filter((r) => r.passed).length, of: results.length },
        'checked',
      );
      return { results, checkedAt: new Date().toISOString() };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/sessions/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      await sessions().end(find(request), 'stopped');
      return reply.code(204).send();
    },
  );
}

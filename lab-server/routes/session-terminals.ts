/**
 * A session's terminals over HTTP (docs/api.md, "More than one terminal"):
 * list them, open one, close one. The same token as every session route; the
 * terminals themselves are the terminal WebSocket's, with `?terminal=N`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { SESSION_ID } from '../../protocol/session.ts';
import {
  OpenedTerminalSchema,
  TERMINAL_NUMBER,
  TerminalListSchema,
  type OpenedTerminal,
  type TerminalList,
} from '../../protocol/terminals.ts';
import { terminalsOf } from '../sessions/learner-terminals.ts';
import { availableSessions, bearerToken, idParams } from './sessions.ts';

const terminalParams = z.object({
  id: z.string().check(z.regex(SESSION_ID)),
  number: z.string().check(z.regex(TERMINAL_NUMBER)),
});

export async function sessionTerminalRoutes(app: FastifyInstance): Promise<void> {
  const find = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const session = await availableSessions(app).lookup(request.params.id, bearerToken(request));
    session.touch();
    return session;
  };
  const limit = app.config.terminalsPerSession;

  app.get<{ Params: { id: string } }>(
    '/sessions/:id/terminals',
    { schema: { params: idParams, response: { 200: TerminalListSchema } } },
    async (request): Promise<TerminalList> => {
      const terminals = await terminalsOf(await find(request)).list();
      return { terminals, limit };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/sessions/:id/terminals',
    { schema: { params: idParams, response: { 201: OpenedTerminalSchema } } },
    async (request, reply) => {
      const session = await find(request);
      const number = await terminalsOf(session).open(limit);
      request.log.info({ session: session.id, terminal: number }, 'terminal opened');
      const opened: OpenedTerminal = { number };
      return reply.code(201).send(opened);
    },
  );

  app.delete<{ Params: { id: string; number: string } }>(
    '/sessions/:id/terminals/:number',
    { schema: { params: terminalParams } },
    async (request, reply) => {
      const session = await find(request);
      const number = Number(request.params.number);
      await terminalsOf(session).close(number);
      request.log.info({ session: session.id, terminal: number }, 'terminal closed');
      return reply.code(204).send();
    },
  );
}

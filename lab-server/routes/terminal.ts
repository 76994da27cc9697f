import type { FastifyInstance } from 'fastify';
import {
  CLOSE_FORBIDDEN_ORIGIN,
  CLOSE_TOO_MANY_TERMINALS,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNKNOWN_SESSION,
} from '../../protocol/close-codes.ts';
import { DEFAULT_SIZE, MAX_COLS, MAX_ROWS } from '../../protocol/terminal-messages.ts';
import { AppError } from '../errors.ts';
import { TerminalBridge } from '../terminal/bridge.ts';
import { checkOrigin } from '../terminal/origin-check.ts';
import { requireUpgrade } from '../terminal/require-upgrade.ts';

interface TerminalQuery {
  token?: string;
  cols?: string;
  rows?: string;
}

const clamp = (value: string | undefined, fallback: number, max: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
};

export async function terminalRoutes(app: FastifyInstance): Promise<void> {
  const policy = { publicOrigin: app.config.publicUrl?.origin };
  app.get<{ Params: { id: string }; Querystring: TerminalQuery }>(
    '/sessions/:id/terminal',
    { websocket: true, preHandler: requireUpgrade },
    // Async only for an ended session read from the store; a live one is found in
    // memory without waiting, so no early message from the client is missed.
    async (socket, request) => {
      // Refuse pages from other sites: a browser sends its page's Origin on every WebSocket.
      const origin = request.headers.origin;
      const verdict = checkOrigin(policy, {
        origin,
        host: request.host,
        protocol: request.protocol,
      });
      if (!verdict.allowed) {
        // Warn: behind a proxy, this is how a missing DRYDOCK_PUBLIC_URL shows up.
        request.log.warn(
          { origin, expected: verdict.expected },
          `refused a terminal for a page from ${origin}: this server accepts only ${verdict.expected} (set DRYDOCK_PUBLIC_URL to the address learners use; docs/reverse-proxy.md)`,
        );
        socket.close(
          CLOSE_FORBIDDEN_ORIGIN,
          'This page’s address is not one this lab server accepts.',
        );
        return;
      }
      const manager = app.sessions;
      if (!manager.available) {
        // 1013 "try again later": the server is (re)starting; a client reconnects.
        socket.close(CLOSE_TRY_AGAIN_LATER, 'Labs are not available on this server yet.');
        return;
      }
      let session;
      try {
        session = await manager.lookup(request.params.id, request.query.token);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        socket.close(CLOSE_UNKNOWN_SESSION, 'Unknown session, or the token does not match.');
        return;
      }
      session.touch();
      const limit = app.config.terminalsPerSession;
      if (session.live && session.terminals >= limit) {
        socket.close(
          CLOSE_TOO_MANY_TERMINALS,
          `This session already has ${limit} terminal${limit === 1 ? '' : 's'} open; close one first.`,
        );
        return;
      }
      const size = {
        cols: clamp(request.query.cols, DEFAULT_SIZE.cols, MAX_COLS),
        rows: clamp(request.query.rows, DEFAULT_SIZE.rows, MAX_ROWS),
      };
      new TerminalBridge(socket, session, request.log.child({ session: session.id }), size).start();
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { TerminalBridge } from '../terminal/bridge.ts';
import { requireUpgrade } from '../terminal/require-upgrade.ts';

interface TerminalQuery {
  token?: string;
  cols?: string;
  rows?: string;
}

/** Whether an Origin header names the host the request was sent to; a malformed Origin never does. */
const sameHost = (origin: string, host: string | undefined): boolean => {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
};

const clamp = (value: string | undefined, fallback: number, max: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
};

export async function terminalRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: TerminalQuery }>(
    '/sessions/:id/terminal',
    { websocket: true, preHandler: requireUpgrade },
    (socket, request) => {
      // Refuse pages from other sites: a browser sends its page's Origin on every WebSocket.
      const origin = request.headers.origin;
      if (origin !== undefined && !sameHost(origin, request.headers.host)) {
        socket.close(4403, 'This terminal only accepts connections from the Drydock site.');
        return;
      }
      const manager = app.platform.sessions;
      if (!manager) {
        // 1013 "try again later": the server is (re)starting; a client reconnects.
        socket.close(1013, 'Labs are not available on this server yet.');
        return;
      }
      let session;
      try {
        session = manager.get(request.params.id, request.query.token);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        socket.close(4404, 'Unknown session, or the token does not match.');
        return;
      }
      session.touch();
      const limit = app.platform.config.terminalsPerSession;
      if (session.live && session.terminals >= limit) {
        socket.close(
          4429,
          `This session already has ${limit} terminal${limit === 1 ? '' : 's'} open; close one first.`,
        );
        return;
      }
      const size = {
        cols: clamp(request.query.cols, 80, 1000),
        rows: clamp(request.query.rows, 24, 500),
      };
      new TerminalBridge(socket, session, request.log.child({ session: session.id }), size).start();
    },
  );
}

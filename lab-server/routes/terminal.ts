import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLOSE_NOT_ALLOWED,
  CLOSE_SIGN_IN_REQUIRED,
  CLOSE_TERMINAL_CLOSED,
  CLOSE_TOO_MANY_TERMINALS,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNKNOWN_SESSION,
} from '../../protocol/close-codes.ts';
import { DEFAULT_SIZE, MAX_COLS, MAX_ROWS } from '../../protocol/terminal-messages.ts';
import { parseTerminalNumber } from '../../protocol/terminals.ts';
import { AppError } from '../errors.ts';
import { terminalsOf } from '../sessions/learner-terminals.ts';
import { TerminalBridge } from '../terminal/bridge.ts';
import { admitPage } from '../terminal/origin-check.ts';
import { requireUpgrade } from '../terminal/require-upgrade.ts';

interface TerminalQuery {
  token?: string;
  cols?: string;
  rows?: string;
  /** Which of the learner's terminals (protocol/terminals.ts); the first without it. */
  terminal?: string;
}

const clamp = (value: string | undefined, fallback: number, max: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
};

/** People watching one learner's terminal at once (an instructor and an assistant, say). */
export const WATCHERS_PER_SESSION = 3;

export async function terminalRoutes(app: FastifyInstance): Promise<void> {
  const policy = { publicOrigin: app.config.publicUrl?.origin };

  const fromOurSite = (socket: WebSocket, request: FastifyRequest) =>
    admitPage(policy, socket, request);

  app.get<{ Params: { id: string }; Querystring: TerminalQuery }>(
    '/sessions/:id/terminal',
    { websocket: true, preHandler: requireUpgrade },
    // Async only for an ended session read from the store; a live one is found in
    // memory without waiting, so no early message from the client is missed.
    async (socket, request) => {
      // Refuse pages from other sites: a browser sends its page's Origin on every WebSocket.
      if (!fromOurSite(socket, request)) return;
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
      const number = parseTerminalNumber(request.query.terminal);
      if (number === null) {
        socket.close(CLOSE_TERMINAL_CLOSED, 'No such terminal: terminal= takes a number, 1 to 20.');
        return;
      }
      if (session.live && number > limit) {
        socket.close(
          CLOSE_TOO_MANY_TERMINALS,
          `This session may have at most ${limit} terminal${limit === 1 ? '' : 's'}.`,
        );
        return;
      }
      const terminals = terminalsOf(session);
      // Another terminal than the first is opened with POST …/terminals, never by a socket:
      // a page that reconnects to a terminal closed meanwhile must not bring it back.
      if (session.live && number !== 1 && !(await terminals.isOpen(number).catch(() => false))) {
        socket.close(CLOSE_TERMINAL_CLOSED, `Terminal ${number} is not open.`);
        return;
      }
      if (socket.readyState !== socket.OPEN) return;
      // Each terminal shows in at most `limit` sockets: checked (after any wait above,
      // so a burst cannot slip through it together) before an exec is made.
      if (session.live && terminals.attachedTo(number) >= limit) {
        socket.close(
          CLOSE_TOO_MANY_TERMINALS,
          `Terminal ${number} of this session is already open in ${limit} page${limit === 1 ? '' : 's'}; close one first.`,
        );
        return;
      }
      const size = {
        cols: clamp(request.query.cols, DEFAULT_SIZE.cols, MAX_COLS),
        rows: clamp(request.query.rows, DEFAULT_SIZE.rows, MAX_ROWS),
      };
      new TerminalBridge(socket, session, request.log.child({ session: session.id }), size, {
        takeovers: manager.takeovers,
        terminal: number,
      }).start();
    },
  );
  /**
   * A read-only view of a learner's terminal for staff (docs/api.md, "Watching a
   * terminal"). The learner's page shows who watches, and the session's events
   * keep who did and for how long. An admin may watch anyone; an instructor, the
   * learners of their own classes in those classes' labs (ClassDirectory.mayWatch).
   */
  app.get<{ Params: { id: string }; Querystring: TerminalQuery }>(
    '/sessions/:id/watch',
    { websocket: true, preHandler: requireUpgrade },
    async (socket, request) => {
      if (!fromOurSite(socket, request)) return;
      const who = await app.accounts.signedIn(request);
      if (!who) {
        socket.close(CLOSE_SIGN_IN_REQUIRED, 'Sign in as staff to watch a terminal.');
        return;
      }
      const session = app.sessions.available ? app.sessions.find(request.params.id) : undefined;
      const viewer = { userId: who.user.id, role: who.user.role };
      const allowed =
        session?.live && (await app.classes.mayWatch(viewer, session.learner, session.lab.slug));
      if (!session?.live && viewer.role === 'admin') {
        socket.close(CLOSE_UNKNOWN_SESSION, 'No live session has this id.');
        return;
      }
      // Anyone else is told the same whether the session exists or is not theirs to watch.
      if (!session || !allowed) {
        request.log.warn(
          { user: who.user.username, session: request.params.id },
          'refused a watch',
        );
        socket.close(CLOSE_NOT_ALLOWED, `${who.user.username} may not watch this terminal.`);
        return;
      }
      if (session.watchers.size >= WATCHERS_PER_SESSION) {
        socket.close(
          CLOSE_TOO_MANY_TERMINALS,
          `${WATCHERS_PER_SESSION} people are watching this terminal already.`,
        );
        return;
      }
      const watch = await app.sessions.startWatching(
        session,
        who.user.displayName || who.user.username,
      );
      const size = {
        cols: clamp(request.query.cols, DEFAULT_SIZE.cols, MAX_COLS),
        rows: clamp(request.query.rows, DEFAULT_SIZE.rows, MAX_ROWS),
      };
      new TerminalBridge(socket, session, request.log.child({ session: session.id }), size, {
        takeovers: app.sessions.takeovers,
        watch,
      }).start();
    },
  );
}

/**
 * The class dashboard's live feed: a WebSocket that sends the class's progress
 * (protocol/class-progress.ts) at once, again within DEBOUNCE_MS of every
 * session event in the class's labs (a Start, a Check, an end), and every
 * REFRESH_MS besides, for what no event announces (a terminal opened or
 * closed, a learner gone idle, a new member). One picture per change, however
 * many events a burst brings: a class pressing Check at once costs a few
 * rebuilds, not thirty. Who may follow the class is asked again for every
 * picture: a helper taken off the class is closed out within REFRESH_MS, and
 * one whose grant changed is told with the next picture.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_NOT_ALLOWED, CLOSE_SIGN_IN_REQUIRED } from '../../protocol/close-codes.ts';
import type { ClassLiveMessage } from '../../protocol/class-progress.ts';
import { CLASS_ID } from '../../protocol/classes.ts';
import { ClassError } from '../classes/class-rules.ts';
import type { SessionEvent } from '../sessions/session-events.ts';
import { admitPage } from '../terminal/origin-check.ts';
import { requireUpgrade } from '../terminal/require-upgrade.ts';

const DEBOUNCE_MS = 100;
export const REFRESH_MS = 5000;
const PING_MS = 20_000;

export async function classLiveRoutes(app: FastifyInstance): Promise<void> {
  const policy = { publicOrigin: app.config.publicUrl?.origin };

  app.get<{ Params: { id: string } }>(
    '/classes/:id/live',
    { websocket: true, preHandler: requireUpgrade },
    async (socket: WebSocket, request: FastifyRequest<{ Params: { id: string } }>) => {
      if (!admitPage(policy, socket, request)) return;
      const who = await app.accounts.signedIn(request);
      if (!who) {
        socket.close(
          CLOSE_SIGN_IN_REQUIRED,
          'Sign in as the class’s instructor, or a helper, to follow it.',
        );
        return;
      }
      const viewer = { userId: who.user.id, role: who.user.role };
      const { id } = request.params;
      // A class not theirs to see is refused like one that does not exist.
      const visible = async () => {
        if (!CLASS_ID.test(id)) return undefined;
        try {
          return await app.classes.access(viewer, id);
        } catch (error) {
          // Only "not theirs" refuses; a store that failed is logged and tried again.
          if (error instanceof ClassError) return undefined;
          throw error;
        }
      };
      const refuse = () =>
        socket.close(CLOSE_NOT_ALLOWED, `${who.user.username} may not follow this class.`);
      const first = await visible();
      if (!first) return refuse();
      const { record } = first;

      let timer: NodeJS.Timeout | undefined;
      let building = false;
      let again = false;
      let closed = false;
      const send = async (): Promise<void> => {
        if (building) return void (again = true);
        building = true;
        try {
          const now = await visible();
          if (!now) {
            if (!closed) refuse();
            return;
          }
          const message: ClassLiveMessage = {
            type: 'progress',
            progress: await app.classes.progress(now.record),
            you: now.access,
          };
          if (!closed) socket.send(JSON.stringify(message));
        } catch (err) {
          request.log.error({ err, class: record.id }, 'building a class’s progress failed');
        } finally {
          building = false;
          if (again) {
            again = false;
            schedule();
          }
        }
      };
      const schedule = () => {
        timer ??= setTimeout(() => {
          timer = undefined;
          void send();
        }, DEBOUNCE_MS);
      };
      const onSession = (event: SessionEvent) => {
        if (record.labs.includes(event.lab)) schedule();
      };
      app.signals.on('session', onSession);
      const refresh = setInterval(schedule, REFRESH_MS);
      const ping = setInterval(() => socket.ping(), PING_MS);
      const stop = () => {
        closed = true;
        app.signals.off('session', onSession);
        clearInterval(refresh);
        clearInterval(ping);
        clearTimeout(timer);
      };
      socket.on('close', stop);
      socket.on('error', stop);
      void send();
    },
  );
}

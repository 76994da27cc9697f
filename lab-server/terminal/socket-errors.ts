/**
 * What happens when a terminal WebSocket fails. A client that breaks the
 * protocol (a frame over maxPayload, invalid UTF-8 in a text frame, a bad
 * opcode) is the client's fault: `ws` has already sent the matching close
 * code (1009, 1007, 1002) and we only note it. Anything else is a fault of
 * ours: logged as an error, and the client is told with 1011 rather than
 * seeing the connection drop.
 */
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_SERVER_FAULT } from '../../protocol/close-codes.ts';

export function onSocketError(error: Error, socket: WebSocket, request: FastifyRequest): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    request.log.info({ code }, `terminal client broke the WebSocket protocol: ${error.message}`);
    return;
  }
  request.log.error({ err: error }, 'terminal WebSocket failed');
  if (socket.readyState === socket.OPEN)
    socket.close(CLOSE_SERVER_FAULT, 'The terminal failed on the server.');
  else socket.terminate();
}

/**
 * Close codes of the terminal WebSocket (docs/api.md), written once for both
 * sides: the lab server closes with them and the browser client decides from
 * them, through closeAction, whether to reconnect or to stop and say why.
 * Free of Node-only APIs.
 *
 * Codes 4000-4999 are ours; the others are the standard's.
 */

/**
 * The page that opened the socket is from an origin the server does not accept
 * (another site, or the server is configured with another public URL). Retrying
 * cannot help; the operator must fix the configuration (docs/reverse-proxy.md).
 */
export const CLOSE_FORBIDDEN_ORIGIN = 4403;
/** Watching a terminal needs a staff sign-in, and this socket carried none. */
export const CLOSE_SIGN_IN_REQUIRED = 4401;
/** The signed-in user may not watch this terminal (their role, or not their class). */
export const CLOSE_NOT_ALLOWED = 4402;
/** Unknown session, or the token does not match. */
export const CLOSE_UNKNOWN_SESSION = 4404;
/** The session is over; an `ended` message with the reason comes first. */
export const CLOSE_SESSION_ENDED = 4410;
/**
 * The session already has as many terminals open as the server allows: this one
 * is shown in as many pages as it may be, or its number is beyond the limit.
 */
export const CLOSE_TOO_MANY_TERMINALS = 4429;
/**
 * The terminal this socket asked for (`?terminal=N`) is not open: it was closed
 * (its shell ended; every socket on it is closed with this), was never opened,
 * or N is not a terminal number. The session itself lives on.
 */
export const CLOSE_TERMINAL_CLOSED = 4411;
/** A fault on the server. */
export const CLOSE_SERVER_FAULT = 1011;
/** Labs are not available yet (the server is starting). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/*
 * The client broke the WebSocket protocol. The `ws` library closes with these on
 * its own; they are listed so that the client's answer to them is decided here too.
 */
/** A malformed frame, a bad opcode. */
export const CLOSE_PROTOCOL_ERROR = 1002;
/** A text frame that is not valid UTF-8. */
export const CLOSE_INVALID_DATA = 1007;
/** A frame or message over MAX_FRAME_BYTES (flow-control.ts). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/**
 * What a client does when the socket closes:
 * - `reconnect`: a drop (network, sleep, a server restart) or "not yet": try again
 *   with backoff while the session lives;
 * - `end`: the session is over or cannot be used: say why and stop;
 * - `refuse`: the session lives on, but this page cannot use it: say what must be
 *   fixed (by the operator, or by reloading a page that broke the protocol) and stop.
 */
export type CloseAction = 'reconnect' | 'end' | 'refuse';

const ACTIONS: ReadonlyMap<number, CloseAction> = new Map<number, CloseAction>([
  [CLOSE_FORBIDDEN_ORIGIN, 'refuse'],
  [CLOSE_SIGN_IN_REQUIRED, 'refuse'],
  [CLOSE_NOT_ALLOWED, 'refuse'],
  [CLOSE_UNKNOWN_SESSION, 'end'],
  [CLOSE_SESSION_ENDED, 'end'],
  [CLOSE_TOO_MANY_TERMINALS, 'end'],
  [CLOSE_TERMINAL_CLOSED, 'end'],
  [CLOSE_SERVER_FAULT, 'end'],
  [CLOSE_TRY_AGAIN_LATER, 'reconnect'],
  // Retrying would hide a bug in the client (and lose the input that broke the rules).
  [CLOSE_PROTOCOL_ERROR, 'refuse'],
  [CLOSE_INVALID_DATA, 'refuse'],
  [CLOSE_MESSAGE_TOO_BIG, 'refuse'],
]);

/** Every code the server closes with (itself or through `ws`), each with the client's action. */
export const CLOSE_CODES: readonly number[] = [...ACTIONS.keys()];

/** Any code not listed (1000, 1001, 1005 at a server shutdown, 1006 for a lost connection) is a drop. */
export function closeAction(code: number): CloseAction {
  return ACTIONS.get(code) ?? 'reconnect';
}

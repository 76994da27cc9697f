/**
 * Close codes of the terminal WebSocket (docs/api.md), written once for both
 * sides: the lab server closes with them and the browser client decides from
 * them whether to reconnect or to stop and say why. Free of Node-only APIs.
 *
 * Codes 4000-4999 are ours; 1011 and 1013 are the standard's.
 */

/**
 * The page that opened the socket is from an origin the server does not accept
 * (another site, or the server is configured with another public URL). Final:
 * retrying cannot help; the operator must fix the configuration (docs/reverse-proxy.md).
 */
export const CLOSE_FORBIDDEN_ORIGIN = 4403;
/** Unknown session, or the token does not match. Final. */
export const CLOSE_UNKNOWN_SESSION = 4404;
/** The session is over; an `ended` message with the reason comes first. Final. */
export const CLOSE_SESSION_ENDED = 4410;
/** The session already has as many terminals open as the server allows. Final. */
export const CLOSE_TOO_MANY_TERMINALS = 4429;
/** A fault on the server. Final. */
export const CLOSE_SERVER_FAULT = 1011;
/** Labs are not available yet (the server is starting): a client tries again. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

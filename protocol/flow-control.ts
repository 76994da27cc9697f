/**
 * The sizes both ends of the terminal WebSocket must agree on. The server stops
 * reading from the shell while more than HIGH_WATERMARK_BYTES of output are
 * unacknowledged, so a flood (`yes`) blocks in the sandbox instead of piling up
 * in the server's memory or the browser's; the browser acknowledges what
 * xterm.js has rendered, batched so a flood costs a handful of small frames.
 */

/** Above this many unacknowledged output bytes the server stops reading from the shell... */
export const HIGH_WATERMARK_BYTES = 256 * 1024;
/** ...and it reads again once fewer than this many are unacknowledged. */
export const LOW_WATERMARK_BYTES = 64 * 1024;

/**
 * The browser acks once this many bytes are rendered, or ACK_IDLE_MS after the
 * last rendered chunk. Below HIGH_WATERMARK_BYTES, so the server hears of
 * progress before it pauses, not only when output goes quiet.
 */
export const ACK_BATCH_BYTES = 64 * 1024;
export const ACK_IDLE_MS = 20;
/** The most one `ack` may report: more is a malformed message. */
export const MAX_ACK_BYTES = 2 ** 30;

/**
 * The largest frame (or message) the server accepts from a client; a larger one
 * closes the socket with 1009. A client splits longer input (a big paste) into
 * frames of at most this size.
 */
export const MAX_FRAME_BYTES = 64 * 1024;

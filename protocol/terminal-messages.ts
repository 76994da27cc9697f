/**
 * The JSON text frames of the terminal WebSocket (docs/api.md), both ways.
 * Binary frames carry the bytes (keystrokes in, output out) and need no schema.
 * The server validates what clients send here; the browser validates what the
 * server sends.
 */
import * as z from 'zod/mini';
import { EndReasonSchema } from './end-reasons.ts';
import { MAX_ACK_BYTES } from './flow-control.ts';

export const MAX_COLS = 1000;
export const MAX_ROWS = 500;
/** The size a terminal opens at when the query string gives none (or nonsense). */
export const DEFAULT_SIZE = { cols: 80, rows: 24 } as const;

export const ResizeMessageSchema = z.object({
  type: z.literal('resize'),
  cols: z.int().check(z.minimum(1), z.maximum(MAX_COLS)),
  rows: z.int().check(z.minimum(1), z.maximum(MAX_ROWS)),
});
/** The client has rendered `bytes` more output bytes (flow-control.ts). */
export const AckMessageSchema = z.object({
  type: z.literal('ack'),
  bytes: z.int().check(z.minimum(0), z.maximum(MAX_ACK_BYTES)),
});
export const ClientMessageSchema = z.discriminatedUnion('type', [
  ResizeMessageSchema,
  AckMessageSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  /** The sandbox is still starting; `message` says what it is doing. */
  z.object({ type: z.literal('status'), state: z.literal('starting'), message: z.string() }),
  /** The shell is attached: output follows, input reaches it. */
  z.object({ type: z.literal('ready') }),
  /** The session is over; a 4410 close follows. */
  z.object({ type: z.literal('ended'), reason: EndReasonSchema, message: z.string() }),
  /**
   * To the learner's terminals: who is watching this terminal now (read-only),
   * sent at attach when someone is and at every change; an empty list: nobody.
   */
  z.object({ type: z.literal('watched'), by: z.array(z.string()) }),
  /**
   * To the learner's terminals: a message their class's instructor sent to the
   * whole class (sent again at attach for BROADCAST_SHOWN_MS, so a reload keeps it).
   */
  z.object({
    type: z.literal('broadcast'),
    from: z.string(),
    message: z.string(),
    at: z.iso.datetime(),
  }),
  /** To a watcher: the size of the learner's screen, at attach and when the learner resizes it. */
  z.object({
    type: z.literal('pane-size'),
    cols: z.int().check(z.minimum(1)),
    rows: z.int().check(z.minimum(1)),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

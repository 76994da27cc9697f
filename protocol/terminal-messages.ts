/**
 * The JSON text frames of the terminal WebSocket (docs/api.md), both ways.
 * Binary frames carry the bytes (keystrokes in, output out) and need no schema.
 * The server validates what clients send here; the browser validates what the
 * server sends.
 */
import * as z from 'zod/mini';
import { CheckResultSchema } from './check-results.ts';
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
/**
 * Taking over typing (docs/api.md, "Taking over a terminal"): a watcher asks and
 * gives control back; the learner answers and can take it back at any time.
 * Each is ignored from the other side's socket.
 */
export const TakeoverRequestSchema = z.object({ type: z.literal('takeover-request') });
export const TakeoverReleaseSchema = z.object({ type: z.literal('takeover-release') });
export const TakeoverAnswerSchema = z.object({
  type: z.literal('takeover-answer'),
  accept: z.boolean(),
});
export const TakeoverStopSchema = z.object({ type: z.literal('takeover-stop') });
export const ClientMessageSchema = z.discriminatedUnion('type', [
  ResizeMessageSchema,
  AckMessageSchema,
  TakeoverRequestSchema,
  TakeoverReleaseSchema,
  TakeoverAnswerSchema,
  TakeoverStopSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** Where a take-over stands: nobody asked, a watcher asked and waits, or a watcher types. */
export const TakeoverStateSchema = z.enum(['none', 'asked', 'granted']);
export type TakeoverState = z.infer<typeof TakeoverStateSchema>;
/**
 * Why a take-over ended or never began: the learner said no, did not answer in
 * time, took control back, the watcher gave it back, or stopped watching.
 */
export const TakeoverOutcomeSchema = z.enum([
  'declined',
  'unanswered',
  'stopped',
  'released',
  'left',
]);
export type TakeoverOutcome = z.infer<typeof TakeoverOutcomeSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  /** The sandbox is still starting; `message` says what it is doing. */
  z.object({ type: z.literal('status'), state: z.literal('starting'), message: z.string() }),
  /** The shell is attached: its screen has been sent (a watcher's follows), then live output; input reaches it. */
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
  /**
   * To the learner's terminals and every watcher, at attach when a take-over is
   * under way and at every change: its state, who asked or types (`by`), whether
   * that is the watcher this socket belongs to (`yours`), and after it ends, why.
   */
  z.object({
    type: z.literal('takeover'),
    state: TakeoverStateSchema,
    by: z.nullable(z.string()),
    yours: z.boolean(),
    outcome: z.optional(TakeoverOutcomeSchema),
  }),
  /**
   * To the learner's terminals: tasks re-checked on their own while the learner
   * works (docs/live-checks.md). At attach, the latest verdict of every task that
   * has one; afterwards, only the tasks whose verdict a live check changed.
   */
  z.object({
    type: z.literal('live-check'),
    results: z.array(CheckResultSchema),
    checkedAt: z.iso.datetime(),
  }),
  /** To a watcher: the size of the learner's screen, at attach (before the screen) and when the learner resizes it. */
  z.object({
    type: z.literal('pane-size'),
    cols: z.int().check(z.minimum(1)),
    rows: z.int().check(z.minimum(1)),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

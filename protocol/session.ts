/**
 * A session as the API shows it: to its learner (`POST /api/sessions`,
 * `GET /api/sessions/:id`, `POST …/extend`) and to the operator (the admin API).
 * The server derives its response schemas from these and the browser parses
 * its answers with them, so the two cannot drift apart unnoticed.
 */
import * as z from 'zod/mini';
import { EndReasonSchema } from './end-reasons.ts';

/** `s_` and 12 base64url characters (9 random bytes). */
export const SESSION_ID = /^s_[A-Za-z0-9_-]{12}$/;

export const SESSION_STATES = ['starting', 'ready', 'failed', 'ended'] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const TaskSummarySchema = z.object({ id: z.string(), title: z.string() });
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** What every view of a session says of it. */
export const SessionBasicsSchema = z.object({
  id: z.string().check(z.regex(SESSION_ID)),
  lab: z.string(),
  state: SessionStateSchema,
  message: z.string(),
  /** Only once the session ended or failed. */
  endReason: z.optional(EndReasonSchema),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type SessionBasics = z.infer<typeof SessionBasicsSchema>;

/** The learner's view. */
export const SessionSchema = z.extend(SessionBasicsSchema, {
  /** The server's clock when it answered, so a countdown can correct for skew. */
  serverTime: z.iso.datetime(),
  idleTimeoutSeconds: z.int().check(z.nonnegative()),
  /** How many times the learner extended the time limit. */
  extensions: z.int().check(z.nonnegative()),
  /** Only while the session lives: whether `POST …/extend` would succeed. */
  canExtend: z.optional(z.boolean()),
  tasks: z.array(TaskSummarySchema),
});
export type Session = z.infer<typeof SessionSchema>;

/** The answer to `POST /api/sessions`: the only one that carries the token. */
export const CreatedSessionSchema = z.extend(SessionSchema, {
  token: z.string().check(z.minLength(1)),
});
export type CreatedSession = z.infer<typeof CreatedSessionSchema>;

export const CreateSessionBodySchema = z.strictObject({
  lab: z.string().check(z.minLength(1), z.maxLength(100)),
  /** The place in line from an earlier 503 FULL answer. */
  ticket: z.optional(z.string().check(z.maxLength(100))),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBodySchema>;

/** The operator's view (admin API): everything but the token. */
export const OperatorSessionSchema = z.extend(SessionBasicsSchema, {
  lastActivityAt: z.iso.datetime(),
  extensions: z.int().check(z.nonnegative()),
  /** Terminal WebSockets attached now. */
  terminals: z.int().check(z.nonnegative()),
  /** The sandbox container's short id, once it has one. */
  container: z.optional(z.string()),
});
export type OperatorSession = z.infer<typeof OperatorSessionSchema>;

export const OperatorSessionListSchema = z.object({ sessions: z.array(OperatorSessionSchema) });
export type OperatorSessionList = z.infer<typeof OperatorSessionListSchema>;

/** `POST /api/admin/sessions/:id/extend`; no body means the server's default length. */
export const OperatorExtendBodySchema = z.nullable(
  z.strictObject({ minutes: z.optional(z.int().check(z.minimum(1), z.maximum(24 * 60))) }),
);
export type OperatorExtendBody = z.infer<typeof OperatorExtendBodySchema>;

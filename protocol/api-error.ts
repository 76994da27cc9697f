/**
 * The body of every 4xx and 5xx answer of the API: `{ error: { code, message } }`,
 * plus `queue` on a 503 FULL and `field` on a 400 when one input is to blame. The codes are listed once here; the server keeps
 * each one's status and default message (lab-server/errors.ts), the browser
 * reads the codes it acts on.
 */
import * as z from 'zod/mini';

export const API_ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'LAB_NOT_FOUND',
  'SESSION_NOT_FOUND',
  'LAB_UNSUPPORTED',
  'SESSION_NOT_READY',
  'SESSION_ENDED',
  'EXTENSION_REFUSED',
  'TASK_NOT_FOUND',
  'TASK_ALREADY_PASSED',
  'SOLUTION_RUNNING',
  'SOLUTION_FAILED',
  'TOO_MANY_TERMINALS',
  'TERMINAL_NOT_FOUND',
  'TERMINAL_KEPT',
  'CAPACITY',
  'FULL',
  'TOO_MANY_SESSIONS',
  'RATE_LIMITED',
  'METRICS_REFUSED',
  'UPGRADE_REQUIRED',
  'ADMIN_UNAUTHORIZED',
  'SIGN_IN_FAILED',
  'ACCOUNT_DISABLED',
  'NOT_SIGNED_IN',
  'ROLE_REQUIRED',
  'ORIGIN_REFUSED',
  'OIDC_NOT_CONFIGURED',
  'LABS_UNAVAILABLE',
  'CLASS_NOT_FOUND',
  'CLASS_READ_ONLY',
  'JOIN_CODE_UNKNOWN',
  'CLASS_CLOSED',
  'FILE_NOT_FOUND',
  'FILE_REFUSED',
  'FILE_TOO_LARGE',
  'FILE_NOT_TEXT',
  'FILE_CHANGED',
  'PREVIEW_UNAVAILABLE',
  'PORT_CLOSED',
  'PREVIEW_NOT_FOUND',
  'PREVIEW_BAD_LINK',
  'PREVIEW_FORBIDDEN',
  'PREVIEW_BUSY',
  'PREVIEW_TOO_LARGE',
  'PREVIEW_FAILED',
  'INTERNAL',
] as const;

export const ApiErrorCodeSchema = z.enum(API_ERROR_CODES);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

/** A place in the line for sandboxes (503 FULL); ask again with `ticket` to keep it. */
export const QueuePlaceSchema = z.object({
  /** 1 is next. */
  position: z.int().check(z.positive()),
  ahead: z.int().check(z.nonnegative()),
  ticket: z.string().check(z.minLength(1)),
});
export type QueuePlace = z.infer<typeof QueuePlaceSchema>;

export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: ApiErrorCodeSchema,
    /** For 4xx, a sentence the client can act on; for 5xx, generic (the log has the details). */
    message: z.string(),
    queue: z.optional(QueuePlaceSchema),
    /** On a 400: the input that is wrong (`name`, `labs`, `displayName`, …), for a form to mark. */
    field: z.optional(z.string()),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/**
 * Every error the API can answer with: the codes are the protocol's
 * (protocol/api-error.ts), their statuses and default messages are the server's.
 * 4xx messages are shown to clients as they are; 5xx answers carry a generic
 * message and the details go to the log.
 */
import type { ApiErrorBody, ApiErrorCode } from '../protocol/api-error.ts';

export const ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request is not valid.' },
  NOT_FOUND: { status: 404, message: 'There is no API route at that address.' },
  LAB_NOT_FOUND: { status: 404, message: 'No lab has that name.' },
  SESSION_NOT_FOUND: {
    status: 404,
    message: 'No session has that id, or the token does not match it.',
  },
  LAB_UNSUPPORTED: {
    status: 409,
    message: 'This lab needs something this server’s sandboxes cannot provide.',
  },
  SESSION_NOT_READY: { status: 409, message: 'The sandbox is not ready yet.' },
  SESSION_ENDED: { status: 409, message: 'This session has ended.' },
  EXTENSION_REFUSED: { status: 409, message: 'This session cannot be extended.' },
  TASK_NOT_FOUND: { status: 404, message: 'This lab has no task with that id.' },
  TASK_ALREADY_PASSED: {
    status: 409,
    message: 'This task already passes: there is nothing to apply.',
  },
  SOLUTION_RUNNING: {
    status: 409,
    message: 'A solution is being applied in this sandbox; wait until it is done.',
  },
  SOLUTION_FAILED: {
    status: 409,
    message: 'The solution could not be applied in this sandbox.',
  },
  TOO_MANY_TERMINALS: {
    status: 409,
    message: 'This session has as many terminals open as the server allows. Close one first.',
  },
  TERMINAL_NOT_FOUND: { status: 404, message: 'This session has no open terminal of that number.' },
  TERMINAL_KEPT: {
    status: 409,
    message: 'Terminal 1 stays open for as long as the session does.',
  },
  CAPACITY: { status: 429, message: 'All sandboxes are in use. Try again in a few minutes.' },
  FULL: {
    status: 503,
    message: 'All sandboxes are busy. You have a place in line; ask again with your ticket.',
  },
  TOO_MANY_SESSIONS: {
    status: 429,
    message: 'You already have as many sandboxes as one person may have. Stop one first.',
  },
  RATE_LIMITED: { status: 429, message: 'Too many requests. Wait a little, then try again.' },
  METRICS_REFUSED: {
    status: 403,
    message: 'Metrics are not served to this client.',
  },
  UPGRADE_REQUIRED: {
    status: 426,
    message: 'This address is the terminal WebSocket; connect to it with a WebSocket client.',
  },
  ADMIN_UNAUTHORIZED: {
    status: 401,
    message: 'The admin API needs the operator’s token: Authorization: Bearer <token>.',
  },
  SIGN_IN_FAILED: {
    status: 401,
    message: 'That username and password do not match an account that may sign in.',
  },
  ACCOUNT_DISABLED: {
    status: 403,
    message: 'This account is disabled. Ask the server’s operator to enable it.',
  },
  NOT_SIGNED_IN: { status: 401, message: 'Sign in first: this needs a staff account.' },
  ROLE_REQUIRED: { status: 403, message: 'Your account’s role may not do this.' },
  ORIGIN_REFUSED: {
    status: 403,
    message: 'This request came from a page this server does not accept.',
  },
  OIDC_NOT_CONFIGURED: {
    status: 404,
    message:
      'This server does not sign staff in with OpenID Connect: its operator has not configured a provider (DRYDOCK_OIDC_ISSUER). Sign in with a local account at /sign-in/.',
  },
  LABS_UNAVAILABLE: { status: 503, message: 'Labs are unavailable on this server.' },
  CLASS_NOT_FOUND: { status: 404, message: 'You have no class with that id.' },
  CLASS_READ_ONLY: {
    status: 403,
    message: 'You help in this class: only its instructor or an admin may do this.',
  },
  JOIN_CODE_UNKNOWN: { status: 404, message: 'No class has that code. Check it and try again.' },
  CLASS_CLOSED: { status: 410, message: 'That class is over and cannot be joined any more.' },
  FILE_NOT_FOUND: { status: 404, message: 'There is no such file or folder in the sandbox.' },
  FILE_REFUSED: {
    status: 403,
    message: 'The sandbox does not let you do that to this file (read-only, a folder, …).',
  },
  FILE_TOO_LARGE: { status: 413, message: 'The file is too large for the editor (1 MiB at most).' },
  FILE_NOT_TEXT: {
    status: 415,
    message: 'The file is not text: the editor opens only UTF-8 text.',
  },
  FILE_CHANGED: {
    status: 409,
    message: 'The file changed in the sandbox since you opened it.',
  },
  PREVIEW_UNAVAILABLE: {
    status: 404,
    message:
      'Previews are off on this server: its operator has not set DRYDOCK_PREVIEW_URL (docs/deploying.md, "Previews").',
  },
  PORT_CLOSED: {
    status: 409,
    message: 'Nothing listens on that port in your sandbox. Start a web server there first.',
  },
  PREVIEW_NOT_FOUND: {
    status: 404,
    message: 'No preview has this address. Open it again with Preview on the lab page.',
  },
  PREVIEW_BAD_LINK: {
    status: 403,
    message:
      'This preview link is not valid: it was used already, has expired, or belongs to another preview. Open it again with Preview on the lab page.',
  },
  PREVIEW_FORBIDDEN: {
    status: 403,
    message:
      'This preview belongs to a session this browser has not opened it from. Open it with Preview on the lab page of that session.',
  },
  PREVIEW_BUSY: {
    status: 503,
    message: 'This preview has too many requests waiting. Wait a little, then reload.',
  },
  PREVIEW_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than previews accept.',
  },
  PREVIEW_FAILED: {
    status: 502,
    message: 'The web server in the sandbox did not answer properly.',
  },
  INTERNAL: {
    status: 500,
    message: 'Something went wrong on the server. The log has the details.',
  },
} as const satisfies Record<ApiErrorCode, { status: number; message: string }>;

export type ErrorCode = ApiErrorCode;

/** The fields of an answer's `error` object beyond `code` and `message`. */
export type ErrorDetails = Omit<ApiErrorBody['error'], 'code' | 'message'>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** Extra fields of the `error` object in the answer (e.g. `queue` for FULL). */
  readonly details: ErrorDetails | undefined;
  /** Seconds for the Retry-After header. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    extra: { details?: ErrorDetails; retryAfter?: number } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = extra.details;
    this.retryAfter = extra.retryAfter;
  }
}

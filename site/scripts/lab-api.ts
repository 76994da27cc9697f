/**
 * Client for the lab server's HTTP API (docs/api.md). Every answer is parsed
 * once, here, with the protocol's schemas (protocol/), so an answer this page
 * cannot read fails with a message that says what is wrong instead of
 * surfacing later as an undefined field. Every failure becomes an ApiError
 * with a message a learner can read; nothing fails silently.
 */
import type * as z from 'zod/mini';
import { ApiErrorBodySchema, type QueuePlace } from '../../protocol/api-error.ts';
import { CheckResponseSchema, type CheckResult } from '../../protocol/check-results.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { parseValue } from '../../protocol/parse.ts';
import {
  CreatedSessionSchema,
  SessionSchema,
  type CreatedSession,
  type Session,
} from '../../protocol/session.ts';
import { SolutionResponseSchema, type SolutionResponse } from '../../protocol/solutions.ts';
import { StatusResponseSchema, type LabsStatus } from '../../protocol/status.ts';
import { learnerId } from './learner-id.ts';

/** An error answer (`{ error: { code, message } }`) or a failure to reach the server at all. */
export class ApiError extends Error {
  readonly code: string;
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;

  /** Place in line, on a 503 FULL answer. */
  readonly queue: QueuePlace | undefined;
  /** The Retry-After header, in seconds, when the server sent one. */
  readonly retryAfter: number | undefined;

  constructor(
    code: string,
    message: string,
    status: number,
    extra: { queue?: QueuePlace | undefined; retryAfter?: number | undefined } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.queue = extra.queue;
    this.retryAfter = extra.retryAfter;
  }
}

export const UNREACHABLE = 'UNREACHABLE';
/** The server answered, but not as the protocol says (a site and a server of different versions). */
export const UNREADABLE = 'UNREADABLE';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string;
}

/** The headers of a session route. */
function sessionHeaders(token: string): Record<string, string> {
  return {
    accept: 'application/json',
    authorization: `Bearer ${token}`,
    [LEARNER_HEADER]: learnerId(),
  };
}

/**
 * Sends the request; the answer's body is parsed with `schema`, or must be a 204 (`schema` null).
 * Exported for the API clients of single features (terminal-tabs-api.ts).
 */
export async function request<T>(
  path: string,
  schema: z.ZodMiniType<T>,
  options?: RequestOptions,
): Promise<T>;
export async function request(path: string, schema: null, options?: RequestOptions): Promise<void>;
export async function request<T>(
  path: string,
  schema: z.ZodMiniType<T> | null,
  options: RequestOptions = {},
): Promise<T | void> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = options.token
    ? sessionHeaders(options.token)
    : { accept: 'application/json', [LEARNER_HEADER]: learnerId() };
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  const init: RequestInit = { method, headers, cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(
      UNREACHABLE,
      'the lab server cannot be reached. Is it running (npm start)?',
      0,
    );
  }

  if (response.status === 204 && schema === null) return;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // A static file server answers /api with HTML: the site is not served by the lab server.
    throw new ApiError(
      response.ok || response.status === 404 ? UNREACHABLE : `HTTP_${response.status}`,
      response.ok || response.status === 404
        ? 'this site is not served by the lab server, so there is no lab API here. Start Drydock with npm start.'
        : `the lab server answered ${response.status} ${response.statusText}.`,
      response.status,
    );
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    const parsed = parseValue(ApiErrorBodySchema, body);
    if (!parsed.ok) {
      // A proxy in front may answer with JSON of its own; say what came, and keep the status.
      console.error(
        `[drydock] ${method} ${path}: an error answer off the protocol (${parsed.why})`,
      );
      throw new ApiError(
        `HTTP_${response.status}`,
        `the lab server answered ${response.status} ${response.statusText}.`,
        response.status,
      );
    }
    const { error } = parsed.value;
    throw new ApiError(error.code, error.message, response.status, {
      queue: error.queue,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined,
    });
  }
  const parsed = schema
    ? parseValue(schema, body)
    : { ok: false as const, why: `${response.status} instead of 204 No Content` };
  if (!parsed.ok) {
    console.error(`[drydock] ${method} ${path}: an answer off the protocol (${parsed.why}):`, body);
    throw new ApiError(
      UNREADABLE,
      `the lab server’s answer to ${method} ${path} is not what this page expects (${parsed.why}). The site and the lab server may be from different versions: reload the page, and if that does not help, tell whoever runs this server.`,
      response.status,
    );
  }
  return parsed.value;
}

export async function getStatus(): Promise<LabsStatus> {
  const { labs } = await request('/api/status', StatusResponseSchema);
  return labs;
}

export function createSession(lab: string, ticket?: string): Promise<CreatedSession> {
  return request('/api/sessions', CreatedSessionSchema, {
    method: 'POST',
    body: ticket ? { lab, ticket } : { lab },
  });
}

/**
 * Creates a session, waiting in line while every sandbox is busy: each 503
 * FULL answer reports the place (`onWaiting`), and the request is repeated
 * with the ticket after Retry-After seconds, which keeps the place.
 */
export async function createSessionInLine(
  lab: string,
  onWaiting: (place: QueuePlace) => void,
): Promise<CreatedSession> {
  let ticket: string | undefined;
  for (;;) {
    try {
      return await createSession(lab, ticket);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'FULL' && error.queue)) throw error;
      ticket = error.queue.ticket;
      onWaiting(error.queue);
      // Well within the ticket's 30 s life, whatever the server suggests.
      const seconds = Math.min(Math.max(error.retryAfter ?? 5, 1), 15);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

export function getSession(id: string, token: string): Promise<Session> {
  return request(`/api/sessions/${encodeURIComponent(id)}`, SessionSchema, { token });
}

export async function checkSession(id: string, token: string): Promise<CheckResult[]> {
  const { results } = await request(
    `/api/sessions/${encodeURIComponent(id)}/check`,
    CheckResponseSchema,
    { method: 'POST', token },
  );
  return results;
}

export function deleteSession(id: string, token: string): Promise<void> {
  return request(`/api/sessions/${encodeURIComponent(id)}`, null, { method: 'DELETE', token });
}

/** Adds the server's extension to the time limit; a 409 ApiError says why not. */
export function extendSession(id: string, token: string): Promise<Session> {
  return request(`/api/sessions/${encodeURIComponent(id)}/extend`, SessionSchema, {
    method: 'POST',
    token,
  });
}

/** Skips a task with the lab's solution; a 4xx ApiError says why not (its output, if a step failed). */
export function applySolution(id: string, token: string, task: string): Promise<SolutionResponse> {
  return request(
    `/api/sessions/${encodeURIComponent(id)}/tasks/${encodeURIComponent(task)}/solution`,
    SolutionResponseSchema,
    { method: 'POST', token },
  );
}
/** The request helper, for the lab page's feature modules (preview-control.ts). */
export { request as apiRequest };

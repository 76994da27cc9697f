/**
 * Client for the lab server's HTTP API (docs/api.md). Every failure becomes an
 * ApiError with a message a learner can read; nothing fails silently.
 */
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { learnerId } from './learner-id.ts';

export type SessionState = 'starting' | 'ready' | 'failed' | 'ended';

export interface SessionTask {
  id: string;
  title: string;
}

export interface Session {
  id: string;
  /** Only in the answer to POST /api/sessions. */
  token?: string;
  lab: string;
  state: SessionState;
  message?: string;
  /** Why an ended or failed session ended (see EndReason in terminal-socket.ts). */
  endReason?: string;
  createdAt: string;
  expiresAt: string;
  /** The server's clock when it answered, to correct the countdown for skew. */
  serverTime?: string;
  idleTimeoutSeconds: number;
  /** How many times the time limit was extended, and whether one more is allowed. */
  extensions?: number;
  canExtend?: boolean;
  tasks: SessionTask[];
}

export interface CheckResult {
  task: string;
  passed: boolean;
  output: string;
  durationMs: number;
}

export type LabsStatus =
  | {
      available: true;
      /** slug → why this server cannot run that lab */ unsupported?: Record<string, string>;
    }
  | { available: false; reason: string };

/** A place in the line for sandboxes (docs/api.md, 503 FULL). */
export interface QueuePlace {
  position: number;
  ahead: number;
  ticket: string;
}

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

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
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

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = options.token
    ? sessionHeaders(options.token)
    : { accept: 'application/json', [LEARNER_HEADER]: learnerId() };
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  const init: RequestInit = { method: options.method ?? 'GET', headers, cache: 'no-store' };
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

  if (response.status === 204) return undefined as T;
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
    const error = (
      body as { error?: { code?: string; message?: string; queue?: QueuePlace } } | undefined
    )?.error;
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    throw new ApiError(
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `the lab server answered ${response.status} ${response.statusText}.`,
      response.status,
      { queue: error?.queue, retryAfter: Number.isFinite(retryAfter) ? retryAfter : undefined },
    );
  }
  return body as T;
}

export async function getStatus(): Promise<LabsStatus> {
  const { labs } = await request<{ labs: LabsStatus }>('/api/status');
  return labs;
}

export function createSession(lab: string, ticket?: string): Promise<Session> {
  return request<Session>('/api/sessions', {
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
): Promise<Session> {
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
  return request<Session>(`/api/sessions/${encodeURIComponent(id)}`, { token });
}

export async function checkSession(id: string, token: string): Promise<CheckResult[]> {
  const { results } = await request<{ results: CheckResult[] }>(
    `/api/sessions/${encodeURIComponent(id)}/check`,
    {
      method: 'POST',
      token,
    },
  );
  return results;
}

export function deleteSession(id: string, token: string): Promise<void> {
  return request<void>(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', token });
}

/** Adds the server's extension to the time limit; a 409 ApiError says why not. */
export function extendSession(id: string, token: string): Promise<Session> {
  return request<Session>(`/api/sessions/${encodeURIComponent(id)}/extend`, {
    method: 'POST',
    token,
  });
}

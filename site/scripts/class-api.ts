/**
 * The browser's side of classes (docs/api.md, "Classes"): a learner's join page
 * and an instructor's class page. Every answer is parsed with the protocol's
 * schemas; every failure becomes a ClassApiError with the API's code, the input
 * to blame (`field`) and a sentence a person can act on. Learner requests carry
 * this browser's learner identity: it is what keeps a learner's place.
 */
import * as z from 'zod/mini';
import { ApiErrorBodySchema } from '../../protocol/api-error.ts';
import {
  ClassCapacitySchema,
  ClassListSchema,
  ClassPreviewSchema,
  ClassSummarySchema,
  BroadcastResultSchema,
  EndedClassSchema,
  ForgottenMemberSchema,
  MemberActionResultSchema,
  MembershipListSchema,
  MembershipSchema,
  type ClassCapacity,
  type ClassPreview,
  type ClassSummary,
  type CreateClassBody,
  type EndedClass,
  type MEMBER_ACTIONS,
  type Membership,
} from '../../protocol/classes.ts';
import { StaffListSchema, type StaffMember } from '../../protocol/class-staff.ts';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import { parseText } from '../../protocol/parse.ts';
import { learnerId } from './learner-id.ts';

export class ClassApiError extends Error {
  /** The API's error code, or UNREACHABLE / UNREADABLE. */
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'ClassApiError';
    this.code = code;
    this.field = field;
  }
}

/** One API request, its answer parsed with `schema`; shared by the staff pages' API modules. */
export async function call<T>(
  path: string,
  schema: z.ZodMiniType<T>,
  options: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      cache: 'no-store',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        [LEARNER_HEADER]: learnerId(),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ClassApiError('UNREACHABLE', 'The server cannot be reached. Try again in a moment.');
  }
  const text = await response.text();
  if (!response.ok) {
    const failure = parseText(ApiErrorBodySchema, text);
    if (!failure.ok)
      throw new ClassApiError(
        `HTTP_${response.status}`,
        `The server answered ${response.status} ${response.statusText}.`,
      );
    const { code, message, field } = failure.value.error;
    throw new ClassApiError(code, message, field);
  }
  const parsed = parseText(schema, text);
  if (!parsed.ok)
    throw new ClassApiError('UNREADABLE', `The server’s answer is unreadable (${parsed.why}).`);
  return parsed.value;
}

// Learners

export const previewClass = (code: string): Promise<ClassPreview> =>
  call(`/api/join/${encodeURIComponent(code)}`, ClassPreviewSchema);

export const joinClass = (code: string, displayName: string): Promise<Membership> =>
  call('/api/join', MembershipSchema, { method: 'POST', body: { code, displayName } });

export const myMemberships = async (): Promise<Membership[]> =>
  (await call('/api/membership', MembershipListSchema)).memberships;

// Staff

export const listClasses = async (): Promise<ClassSummary[]> =>
  (await call('/api/classes', ClassListSchema)).classes;

export const createClass = (body: CreateClassBody): Promise<ClassSummary> =>
  call('/api/classes', ClassSummarySchema, { method: 'POST', body });

/** Sends a line to every learner of the class with a live sandbox; resolves with how many it reached. */
export const broadcastToClass = async (id: string, message: string): Promise<number> =>
  (
    await call(`/api/classes/${id}/broadcast`, BroadcastResultSchema, {
      method: 'POST',
      body: { message },
    })
  ).delivered;

/** Resets, ends or extends one learner's sandbox; resolves with how many sessions it acted on. */
export const actOnLearner = async (
  id: string,
  memberId: string,
  action: (typeof MEMBER_ACTIONS)[number],
): Promise<number> =>
  (
    await call(`/api/classes/${id}/members/${memberId}/${action}`, MemberActionResultSchema, {
      method: 'POST',
      body: {},
    })
  ).sessions;

/** Deletes one learner's records from the class (at their request); resolves with how many sessions went. */
export const forgetLearner = async (id: string, memberId: string): Promise<number> =>
  (
    await call(`/api/classes/${id}/members/${memberId}`, ForgottenMemberSchema, {
      method: 'DELETE',
    })
  ).sessionsDeleted;

/** Whether this machine can hold a class of these labs and this many learners in this window. */
export const checkCapacity = (query: {
  labs: string[];
  size: number;
  opensAt?: string;
  closesAt?: string;
}): Promise<ClassCapacity> => {
  const params = new URLSearchParams({ labs: query.labs.join(','), size: String(query.size) });
  if (query.opensAt) params.set('opensAt', query.opensAt);
  if (query.closesAt) params.set('closesAt', query.closesAt);
  return call(`/api/classes/capacity?${params}`, ClassCapacitySchema);
};

export const endClass = (id: string): Promise<EndedClass> =>
  call(`/api/classes/${encodeURIComponent(id)}/end`, EndedClassSchema, { method: 'POST' });

// Who helps in a class (its instructor or an admin)

const staffPath = (id: string, userId?: string) =>
  `/api/classes/${encodeURIComponent(id)}/staff${userId ? `/${encodeURIComponent(userId)}` : ''}`;

export const listStaff = async (id: string): Promise<StaffMember[]> =>
  (await call(staffPath(id), StaffListSchema)).staff;

/** Grants the account of `username` the class (again: sets `mayWatch`); resolves with the helpers. */
export const grantStaff = async (
  id: string,
  username: string,
  mayWatch: boolean,
): Promise<StaffMember[]> =>
  (await call(staffPath(id), StaffListSchema, { method: 'POST', body: { username, mayWatch } }))
    .staff;

export const changeStaff = async (
  id: string,
  userId: string,
  mayWatch: boolean,
): Promise<StaffMember[]> =>
  (await call(staffPath(id, userId), StaffListSchema, { method: 'PATCH', body: { mayWatch } }))
    .staff;

export const removeStaff = async (id: string, userId: string): Promise<StaffMember[]> =>
  (await call(staffPath(id, userId), StaffListSchema, { method: 'DELETE' })).staff;

/**
 * The session store's tables, as Kysely sees them. Times are epoch milliseconds
 * (bigint in PostgreSQL, integer in SQLite) and flags are 0/1 integers, so that
 * both databases hand back the same JavaScript values.
 */
import type { Generated } from 'kysely';

export interface SessionsTable {
  id: string;
  /** The server (DRYDOCK_OWNER) whose engine holds the session's sandbox. */
  owner: string;
  lab: string;
  token_hash: string;
  seed: string;
  /** The learner's identity as the browser keeps it, when it sent one. */
  learner: string | null;
  state: string;
  message: string;
  end_reason: string | null;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  extensions: number;
}

export interface SandboxesTable {
  /** The engine's container id. */
  id: string;
  owner: string;
  lab: string;
  /** warming → warm → claimed → removing */
  state: string;
  /** Set when a session claims the sandbox, never before. */
  session_id: string | null;
  created_at: number;
  claimed_at: number | null;
}

export interface CheckResultsTable {
  session_id: string;
  task: string;
  passed: number;
  message: string;
  checked_at: number;
  /** When the lab's solution was applied for the task (0008); null if it never was. */
  shown_at: number | null;
}

export interface SessionEventsTable {
  id: Generated<number>;
  session_id: string;
  type: string;
  at: number;
  /** JSON */
  data: string;
}

export interface UsersTable {
  id: string;
  /** Lower case, unique. */
  username: string;
  display_name: string;
  /** admin | instructor | assistant | learner */
  role: string;
  /** A PHC string (accounts/password-hash.ts); null for an account that signs in elsewhere. */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  /** Set while the account may not sign in. */
  disabled_at: number | null;
  /** The user's sign-in groups, a JSON array of names (restricted content, docs/content-visibility.md). */
  user_groups: Generated<string>;
}

export interface SignInsTable {
  /** SHA-256 of the cookie's token: the token itself is never stored. */
  token_hash: string;
  user_id: string;
  /** How the user proved who they are: `password` or `oidc`. */
  method: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface ClassesTable {
  /** `c_` and 12 random characters. */
  id: string;
  name: string;
  /** JSON: the lab slugs in the order learners take them. */
  labs: string;
  opens_at: number;
  closes_at: number;
  expected_size: number;
  /** Upper case, without separators (classes/join-code.ts); unique. */
  join_code: string;
  /** The instructor who made it; null once that account was removed. */
  owner_id: string | null;
  created_at: number;
  /** Set when the class was ended; it cannot be joined again. */
  ended_at: number | null;
}

export interface ClassMembersTable {
  /** `m_` and 12 random characters. */
  id: string;
  class_id: string;
  display_name: string;
  /** The identity the learner's browser keeps, as sessions.learner has it (`learner:<id>`). */
  learner: string;
  joined_at: number;
}

export interface OidcIdentitiesTable {
  /** The provider's issuer identifier, as DRYDOCK_OIDC_ISSUER names it. */
  issuer: string;
  /** The provider's `sub` for the user: never reassigned to another person. */
  subject: string;
  user_id: string;
  created_at: number;
}

export interface WebhookOutboxTable {
  /** `msg_` and random characters: the Standard Webhooks `webhook-id`, the same on every retry. */
  id: string;
  /** The server (DRYDOCK_OWNER) that delivers it: one store may serve several. */
  owner: string;
  /** The event, e.g. `task.completed`. */
  type: string;
  session_id: string;
  task: string;
  /** The JSON body exactly as it is sent and signed. */
  payload: string;
  /** pending | delivered | failed */
  state: string;
  /** Attempts made so far. */
  attempts: number;
  /** When a pending row is due. */
  next_attempt_at: number;
  /** Why the latest attempt failed. */
  last_error: string | null;
  created_at: number;
  /** When it was delivered or given up. */
  finished_at: number | null;
}

export interface ClassStaffTable {
  class_id: string;
  /** An assistant's or another instructor's user id. */
  user_id: string;
  /** 1: may watch the class's learners' terminals. */
  may_watch: number;
  /** Who granted it (the class's instructor or an admin); null once that account was removed, or by the operator. */
  granted_by: string | null;
  granted_at: number;
}

export interface Database {
  sessions: SessionsTable;
  sandboxes: SandboxesTable;
  check_results: CheckResultsTable;
  session_events: SessionEventsTable;
  users: UsersTable;
  sign_ins: SignInsTable;
  classes: ClassesTable;
  class_members: ClassMembersTable;
  oidc_identities: OidcIdentitiesTable;
  webhook_outbox: WebhookOutboxTable;
  class_staff: ClassStaffTable;
}

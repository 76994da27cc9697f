/**
 * The session store: sessions, which sandbox serves which session, extensions,
 * check results and session events, in SQLite (the default, embedded) or
 * PostgreSQL. Domain records in, domain records out: no SQL leaves this module
 * (or account-store.ts, class-store.ts and webhook-outbox.ts, which have the staff
 * accounts', the classes' and the results webhook's on the same connection),
 * and nothing here knows about HTTP.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, type Selectable } from 'kysely';
import { Migrator } from 'kysely/migration';
import { AccountStore } from './account-store.ts';
import { ClassStore } from './class-store.ts';
import { type DatabaseTarget, describeTarget, type Dialect } from './dialect.ts';
import { migrations } from './migrations.ts';
import { openNodeSqlite } from './node-sqlite.ts';
import type { Database, SandboxesTable, SessionsTable } from './tables.ts';
import { WebhookOutbox } from './webhook-outbox.ts';
import type { LabActivity } from '../authoring/lab-stats.ts';

export interface SessionRecord {
  id: string;
  owner: string;
  lab: string;
  tokenHash: string;
  seed: string;
  learner: string | null;
  state: string;
  message: string;
  endReason: string | null;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
  extensions: number;
}

export type SessionChange = Partial<
  Pick<SessionRecord, 'state' | 'message' | 'endReason' | 'expiresAt' | 'endedAt' | 'extensions'>
>;

export type SandboxState = 'warming' | 'warm' | 'claimed' | 'removing';

export interface SandboxRecord {
  id: string;
  owner: string;
  lab: string;
  state: SandboxState;
  sessionId: string | null;
  createdAt: number;
  claimedAt: number | null;
}

export interface CheckRecord {
  task: string;
  passed: boolean;
  message: string;
  checkedAt: number;
  /** When the lab's solution was applied for the task; absent if it never was. */
  shownAt?: number;
}

export interface SessionEvent {
  id: number;
  sessionId: string;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    owner: row.owner,
    lab: row.lab,
    tokenHash: row.token_hash,
    seed: row.seed,
    learner: row.learner,
    state: row.state,
    message: row.message,
    endReason: row.end_reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    extensions: row.extensions,
  };
}

function toSandbox(row: Selectable<SandboxesTable>): SandboxRecord {
  return {
    id: row.id,
    owner: row.owner,
    lab: row.lab,
    state: row.state as SandboxState,
    sessionId: row.session_id,
    createdAt: row.created_at,
    claimedAt: row.claimed_at,
  };
}

function connect(target: DatabaseTarget): Kysely<Database> {
  if (target.dialect === 'sqlite') {
    if (target.path !== ':memory:') mkdirSync(dirname(target.path), { recursive: true });
    return new Kysely({ dialect: new SqliteDialect({ database: openNodeSqlite(target.path) }) });
  }
  // Loaded only here: a server on SQLite (the default) never needs the driver.
  const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
  // Times are epoch milliseconds in bigint columns: numbers, as in SQLite.
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: target.url, max: 10, types });
  // An idle connection the server ends (a restart, an operator's pg_terminate_backend)
  // is dropped by the pool; the next query opens another or reports the failure.
  // Without a listener, that error would crash the process.
  pool.on('error', () => {});
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
}

export class StoreError extends Error {}

/** The latest verdict per task; a task's `shown_at` is never touched here. */
async function upsertChecks(
  db: Kysely<Database>,
  sessionId: string,
  results: readonly CheckRecord[],
): Promise<void> {
  if (results.length === 0) return;
  await db
    .insertInto('check_results')
    .values(
      results.map((r) => ({
        session_id: sessionId,
        task: r.task,
        passed: r.passed ? 1 : 0,
        message: r.message,
        checked_at: r.checkedAt,
        shown_at: null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['session_id', 'task']).doUpdateSet((eb) => ({
        passed: eb.ref('excluded.passed'),
        message: eb.ref('excluded.message'),
        checked_at: eb.ref('excluded.checked_at'),
      })),
    )
    .execute();
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies the pending migrations. PostgreSQL's lock makes a second server wait;
 * SQLite has none across processes (the server and the CLI may open one file at
 * once), but its DDL is transactional: a migration that lost the race left
 * nothing behind, and trying again finds it applied.
 */
async function migrate(db: Kysely<Database>, dialect: Dialect, where: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return;
    if (dialect === 'sqlite' && attempt < 5) {
      await pause(50 * attempt);
      continue;
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(
      `${where}: ${failed ? `migration ${failed} failed: ` : ''}${(error as Error).message}`,
    );
  }
}

export class SessionStore {
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs and `drydock doctor`). */
  readonly description: string;
  /** Staff accounts and sign-ins, on the same connection (store/account-store.ts). */
  readonly accounts: AccountStore;
  /** Classes and their members, on the same connection (store/class-store.ts). */
  readonly classes: ClassStore;
  /** The results webhook's messages, on the same connection (store/webhook-outbox.ts). */
  readonly webhooks: WebhookOutbox;
  private readonly db: Kysely<Database>;

  private constructor(db: Kysely<Database>, target: DatabaseTarget) {
    this.db = db;
    this.accounts = new AccountStore(db);
    this.classes = new ClassStore(db);
    this.webhooks = new WebhookOutbox(db);
    this.dialect = target.dialect;
    this.description = describeTarget(target);
  }

  /** Connects and brings the schema up to date; fails with what went wrong and where. */
  static async open(target: DatabaseTarget): Promise<SessionStore> {
    const db = connect(target);
    const store = new SessionStore(db, target);
    try {
      await migrate(db, target.dialect, store.description);
    } catch (error) {
      await db.destroy();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${store.description}: ${(error as Error).message}`);
    }
    return store;
  }

  /** Names of the migrations applied, oldest first. */
  async appliedMigrations(): Promise<string[]> {
    const list = await new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations(this.dialect) },
    }).getMigrations();
    return list.filter((m) => m.executedAt).map((m) => m.name);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // Sessions

  async createSession(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        owner: session.owner,
        lab: session.lab,
        token_hash: session.tokenHash,
        seed: session.seed,
        learner: session.learner,
        state: session.state,
        message: session.message,
        end_reason: session.endReason,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        ended_at: session.endedAt,
        extensions: session.extensions,
      })
      .execute();
  }

  async updateSession(id: string, change: SessionChange): Promise<void> {
    const values = {
      ...(change.state !== undefined && { state: change.state }),
      ...(change.message !== undefined && { message: change.message }),
      ...(change.endReason !== undefined && { end_reason: change.endReason }),
      ...(change.expiresAt !== undefined && { expires_at: change.expiresAt }),
      ...(change.endedAt !== undefined && { ended_at: change.endedAt }),
      ...(change.extensions !== undefined && { extensions: change.extensions }),
    };
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('sessions').set(values).where('id', '=', id).execute();
  }

  async session(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSession(row);
  }

  /** An owner's sessions, oldest first; `live` keeps those starting or ready. */
  async sessions(owner: string, options: { live?: boolean } = {}): Promise<SessionRecord[]> {
    let query = this.db.selectFrom('sessions').selectAll().where('owner', '=', owner);
    if (options.live) query = query.where('state', 'in', ['starting', 'ready']);
    return (await query.orderBy('created_at').orderBy('id').execute()).map(toSession);
  }

  /**
   * What one lab's sessions of an owner, created since `since`, did: the sessions
   * and their ready, checked and solution-applied events in the order they
   * happened (lab-server/authoring/lab-stats.ts makes the authors' figures of it).
   */
  async labActivity(owner: string, lab: string, since: number): Promise<LabActivity> {
    const sessions = await this.db
      .selectFrom('sessions')
      .select(['id', 'created_at', 'ended_at'])
      .where('owner', '=', owner)
      .where('lab', '=', lab)
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const events = await this.db
      .selectFrom('session_events')
      .innerJoin('sessions', 'sessions.id', 'session_events.session_id')
      .select([
        'session_events.session_id as sessionId',
        'session_events.type as type',
        'session_events.at as at',
        'session_events.data as data',
      ])
      .where('sessions.owner', '=', owner)
      .where('sessions.lab', '=', lab)
      .where('sessions.created_at', '>=', since)
      .where('session_events.type', 'in', ['ready', 'checked', 'solution-applied'])
      .orderBy('session_events.id')
      .execute();
    return {
      sessions: sessions.map((s) => ({
        id: s.id,
        createdAt: s.created_at,
        endedAt: s.ended_at,
      })),
      events: events.map((e) => ({
        sessionId: e.sessionId,
        type: e.type,
        at: e.at,
        data: JSON.parse(e.data) as Record<string, unknown>,
      })),
    };
  }

  /** Every session of these learners (`learner:<id>`) in these labs, whoever's server ran it, oldest first. */
  async sessionsOfLearners(
    learners: readonly string[],
    labs: readonly string[],
  ): Promise<SessionRecord[]> {
    if (learners.length === 0 || labs.length === 0) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('learner', 'in', [...learners])
      .where('lab', 'in', [...labs])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toSession);
  }

  /** Removes ended sessions of `owner` that ended before `before`, with their checks and events. */
  async forgetEnded(owner: string, before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where('owner', '=', owner)
      .where('ended_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Removes the ended sessions of a learner in these labs, with their checks and
   * events, whoever's server ran them (a learner asked for their records to go).
   */
  async forgetLearner(learner: string, labs: readonly string[]): Promise<number> {
    if (labs.length === 0) return 0;
    const result = await this.db
      .deleteFrom('sessions')
      .where('learner', '=', learner)
      .where('lab', 'in', [...labs])
      .where('ended_at', 'is not', null)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // Sandboxes

  async addSandbox(sandbox: Omit<SandboxRecord, 'sessionId' | 'claimedAt'>): Promise<void> {
    await this.db
      .insertInto('sandboxes')
      .values({
        id: sandbox.id,
        owner: sandbox.owner,
        lab: sandbox.lab,
        state: sandbox.state,
        session_id: null,
        created_at: sandbox.createdAt,
        claimed_at: null,
      })
      .execute();
  }

  async setSandboxState(id: string, state: SandboxState): Promise<void> {
    await this.db.updateTable('sandboxes').set({ state }).where('id', '=', id).execute();
  }

  /**
   * Binds the oldest warm sandbox of `lab` to `sessionId`, or returns undefined if
   * there is none. Two claims at once never get the same sandbox: in PostgreSQL the
   * candidate row is locked and skipped by the other; SQLite has one writer.
   */
  async claimWarm(
    owner: string,
    lab: string,
    sessionId: string,
    at: number,
  ): Promise<SandboxRecord | undefined> {
    let candidate = this.db
      .selectFrom('sandboxes')
      .select('id')
      .where('owner', '=', owner)
      .where('lab', '=', lab)
      .where('state', '=', 'warm')
      .orderBy('created_at')
      .orderBy('id')
      .limit(1);
    if (this.dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
    const row = await this.db
      .updateTable('sandboxes')
      .set({ state: 'claimed', session_id: sessionId, claimed_at: at })
      .where('id', '=', candidate)
      .where('state', '=', 'warm')
      .returningAll()
      .executeTakeFirst();
    return row && toSandbox(row);
  }

  /** Binds a sandbox started for this very session (the cold path). */
  async bindSandbox(id: string, sessionId: string, at: number): Promise<void> {
    const result = await this.db
      .updateTable('sandboxes')
      .set({ state: 'claimed', session_id: sessionId, claimed_at: at })
      .where('id', '=', id)
      .where('session_id', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new StoreError(`sandbox ${id.slice(0, 12)} is unknown or serves another session`);
  }

  async sandbox(id: string): Promise<SandboxRecord | undefined> {
    const row = await this.db
      .selectFrom('sandboxes')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSandbox(row);
  }

  async sandboxOf(sessionId: string): Promise<SandboxRecord | undefined> {
    const row = await this.db
      .selectFrom('sandboxes')
      .selectAll()
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return row && toSandbox(row);
  }

  async sandboxes(owner: string, state?: SandboxState): Promise<SandboxRecord[]> {
    let query = this.db.selectFrom('sandboxes').selectAll().where('owner', '=', owner);
    if (state) query = query.where('state', '=', state);
    return (await query.orderBy('created_at').orderBy('id').execute()).map(toSandbox);
  }

  async removeSandbox(id: string): Promise<void> {
    await this.db.deleteFrom('sandboxes').where('id', '=', id).execute();
  }

  // Check results: the latest verdict per task.

  async recordChecks(sessionId: string, results: CheckRecord[]): Promise<void> {
    await upsertChecks(this.db, sessionId, results);
  }

  async checks(sessionId: string): Promise<CheckRecord[]> {
    const rows = await this.db
      .selectFrom('check_results')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('task')
      .execute();
    return rows.map((r) => ({
      task: r.task,
      passed: r.passed === 1,
      message: r.message,
      checkedAt: r.checked_at,
      ...(r.shown_at === null ? {} : { shownAt: r.shown_at }),
    }));
  }

  /**
   * Records that the lab's solution was applied for these tasks, with the check
   * that followed. A task shown before keeps its first time; later checks
   * (recordChecks) change its verdict but never its being shown.
   */
  async recordSolution(
    sessionId: string,
    tasks: readonly string[],
    results: CheckRecord[],
    at: number,
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await upsertChecks(tx, sessionId, results);
      if (tasks.length === 0) return;
      await tx
        .updateTable('check_results')
        .set({ shown_at: at })
        .where('session_id', '=', sessionId)
        .where('task', 'in', [...tasks])
        .where('shown_at', 'is', null)
        .execute();
    });
  }

  // Events: append-only, in the order they were recorded.

  async appendEvent(event: Omit<SessionEvent, 'id'>): Promise<number> {
    const row = await this.db
      .insertInto('session_events')
      .values({
        session_id: event.sessionId,
        type: event.type,
        at: event.at,
        data: JSON.stringify(event.data),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Events after `afterId` (of one session, of some, or of all; of some types), oldest first. */
  async events(
    options: {
      sessionId?: string;
      sessionIds?: readonly string[];
      types?: readonly string[];
      afterId?: number;
      limit?: number;
    } = {},
  ): Promise<SessionEvent[]> {
    if (options.sessionIds?.length === 0) return [];
    let query = this.db.selectFrom('session_events').selectAll();
    if (options.sessionId) query = query.where('session_id', '=', options.sessionId);
    if (options.sessionIds) query = query.where('session_id', 'in', [...options.sessionIds]);
    if (options.types) query = query.where('type', 'in', [...options.types]);
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
    const rows = await query
      .orderBy('id')
      .limit(options.limit ?? 1000)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      type: r.type,
      at: r.at,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }
}

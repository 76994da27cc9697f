/**
 * The store's schema, one migration per change, applied in name order by
 * Kysely's Migrator (which records them and holds a lock while it works, so two
 * servers starting against one PostgreSQL do not both apply one). Never edit a
 * migration that has shipped: add the next one.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from './dialect.ts';

/** Migrations that differ by database get the dialect; most do not. */
type Step = (dialect: Dialect) => Migration;

const STEPS: Record<string, Step> = {
  '0001-sessions': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('lab', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('seed', 'text', (c) => c.notNull())
        .addColumn('learner', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('end_reason', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .addColumn('ended_at', time)
        .addColumn('extensions', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('sessions_owner_state')
        .on('sessions')
        .columns(['owner', 'state'])
        .execute();
      await db.schema
        .createTable('sandboxes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('lab', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) =>
          c.unique().references('sessions.id').onDelete('set null'),
        )
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('claimed_at', time)
        .execute();
      await db.schema
        .createIndex('sandboxes_owner_lab_state')
        .on('sandboxes')
        .columns(['owner', 'lab', 'state'])
        .execute();
      await db.schema
        .createTable('check_results')
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('task', 'text', (c) => c.notNull())
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('checked_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('check_results_pk', ['session_id', 'task'])
        .execute();
      await db.schema
        .createTable('session_events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('session_events_session')
        .on('session_events')
        .columns(['session_id', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['session_events', 'check_results', 'sandboxes', 'sessions'])
        await db.schema.dropTable(table).execute();
    },
  }),
  // Staff accounts (issue #11): local ones now; an OpenID Connect login will add a
  // table of (issuer, subject) -> user and sign in the same users, so a password
  // is optional and nothing here is specific to how a user proved who they are.
  '0002-accounts': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('disabled_at', time)
        .execute();
      await db.schema
        .createTable('sign_ins')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .addColumn('last_seen_at', time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sign_ins_user').on('sign_ins').column('user_id').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['sign_ins', 'users']) await db.schema.dropTable(table).execute();
    },
  }),
  // Classes (issue #11): an instructor's class and the learners who joined it. A
  // member is the learner identity a browser keeps (no account), so a later
  // dashboard finds a member's sessions by `sessions.learner`; the labs are one
  // ordered JSON list because they are only ever read and written whole.
  '0003-classes': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('classes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('labs', 'text', (c) => c.notNull())
        .addColumn('opens_at', time, (c) => c.notNull())
        .addColumn('closes_at', time, (c) => c.notNull())
        .addColumn('expected_size', 'integer', (c) => c.notNull())
        .addColumn('join_code', 'text', (c) => c.notNull().unique())
        // A removed instructor's classes stay (an admin still sees and ends them).
        .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('ended_at', time)
        .execute();
      await db.schema.createIndex('classes_owner').on('classes').column('owner_id').execute();
      await db.schema
        .createTable('class_members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('learner', 'text', (c) => c.notNull())
        .addColumn('joined_at', time, (c) => c.notNull())
        .addUniqueConstraint('class_members_learner', ['class_id', 'learner'])
        .execute();
      await db.schema
        .createIndex('class_members_by_learner')
        .on('class_members')
        .column('learner')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['class_members', 'classes']) await db.schema.dropTable(table).execute();
    },
  }),
  // Staff signed in through an OpenID provider (issue #11): the provider's (issuer,
  // subject) names the user for good, whatever their username or mail becomes. The
  // user is a row of `users` like any other (no password), so roles, disabling and
  // sign-ins work unchanged. Needs only 0002's `users`: 0003 (classes) is unrelated.
  '0004-oidc': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('oidc_identities')
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) =>
          c.notNull().unique().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('oidc_identities').execute();
    },
  }),
  // The results webhook's outbox (issue #11): a `task.completed` is written here in
  // the server's database before anything is sent, so a restart or a receiver that
  // is down loses nothing; the deliverer sends what is due and keeps the outcome.
  // `id` is the Standard Webhooks message id, the same on every retry. One row per
  // (session, type, task): a task completes once per session, whoever checks twice
  // at once. Rows go with their session (a learner's records deleted on request).
  // Class staff, on which it does not depend, came after it as 0007.
  '0006-webhook-outbox': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('webhook_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('task', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', time, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('finished_at', time)
        .addUniqueConstraint('webhook_outbox_once', ['session_id', 'type', 'task'])
        .execute();
      await db.schema
        .createIndex('webhook_outbox_due')
        .on('webhook_outbox')
        .columns(['owner', 'state', 'next_attempt_at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('webhook_outbox').execute();
    },
  }),
  // Staff who help in a class (issue #11): an assistant, or another instructor, that
  // the class's instructor (or an admin) granted it, and whether they may watch its
  // learners' terminals. A removed user's or class's grants go with it; who granted
  // it stays as long as that account does. Numbered 0007, after 0006, although it was
  // planned as 0005: databases that had applied 0006 refuse a migration named before it.
  '0007-class-staff': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema
        .createTable('class_staff')
        .addColumn('class_id', 'text', (c) =>
          c.notNull().references('classes.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('may_watch', 'integer', (c) => c.notNull())
        .addColumn('granted_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('granted_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('class_staff_pk', ['class_id', 'user_id'])
        .execute();
      await db.schema.createIndex('class_staff_user').on('class_staff').column('user_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('class_staff').execute();
    },
  }),
  // Skip with the solution (issue #12): when the lab's solution was applied for a task
  // of the session. A check's upsert leaves it alone, so a task stays shown whatever
  // later checks say; null for a task the learner did themselves.
  '0008-solutions-shown': (dialect) => ({
    async up(db: Kysely<unknown>) {
      const time = dialect === 'postgres' ? 'bigint' : 'integer';
      await db.schema.alterTable('check_results').addColumn('shown_at', time).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('check_results').dropColumn('shown_at').execute();
    },
  }),
  // Content restricted to sign-in groups (issue #13): the groups a user is in, as a
  // JSON array of names. An OpenID provider's groups claim sets them at each sign-in;
  // an admin sets a local account's (`drydock users groups`). Every existing user is in none.
  '0009-user-groups': () => ({
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('users')
        .addColumn('user_groups', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('users').dropColumn('user_groups').execute();
    },
  }),
};

export function migrations(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(Object.entries(STEPS).map(([name, step]) => [name, step(dialect)]));
}

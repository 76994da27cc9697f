/**
 * The results webhook's outbox, in the same database as the sessions: messages
 * are written here first and sent from here (webhooks/webhook-deliverer.ts), so
 * that neither a restart nor a receiver that is down loses one. The only SQL
 * about webhooks; records in, records out.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookOutboxTable } from './tables.ts';

export type OutboxState = 'pending' | 'delivered' | 'failed';

export interface OutboxMessage {
  /** The Standard Webhooks message id (`webhook-id`), the same on every attempt. */
  id: string;
  owner: string;
  type: string;
  sessionId: string;
  task: string;
  /** The body exactly as sent and signed. */
  payload: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'id' | 'owner' | 'type' | 'sessionId' | 'task' | 'payload' | 'createdAt'
>;

function toMessage(row: Selectable<WebhookOutboxTable>): OutboxMessage {
  return {
    id: row.id,
    owner: row.owner,
    type: row.type,
    sessionId: row.session_id,
    task: row.task,
    payload: row.payload,
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

export class WebhookOutbox {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /**
   * Adds a message due at once; false when its session already has one of this
   * type for this task (two Checks at once complete a task once).
   */
  async enqueue(message: NewOutboxMessage): Promise<boolean> {
    const inserted = await this.db
      .insertInto('webhook_outbox')
      .values({
        id: message.id,
        owner: message.owner,
        type: message.type,
        session_id: message.sessionId,
        task: message.task,
        payload: message.payload,
        state: 'pending',
        attempts: 0,
        next_attempt_at: message.createdAt,
        last_error: null,
        created_at: message.createdAt,
        finished_at: null,
      })
      .onConflict((oc) => oc.columns(['session_id', 'type', 'task']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** An owner's pending messages due at `now`, the longest waiting first. */
  async due(owner: string, now: number, limit = 20): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('webhook_outbox')
      .selectAll()
      .where('owner', '=', owner)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** When the owner's next pending message is due; undefined when none is pending. */
  async nextDueAt(owner: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('webhook_outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('owner', '=', owner)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** The receiver took it after `attempts` attempts. */
  async delivered(id: string, attempts: number, at: number): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ state: 'delivered', attempts, finished_at: at, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  /** An attempt failed; the next is due at `nextAttemptAt`. */
  async retryAt(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ attempts, next_attempt_at: nextAttemptAt, last_error: error })
      .where('id', '=', id)
      .execute();
  }

  /** The last attempt failed too: no more are made. */
  async gaveUp(id: string, attempts: number, at: number, error: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ state: 'failed', attempts, finished_at: at, last_error: error })
      .where('id', '=', id)
      .execute();
  }

  async message(id: string): Promise<OutboxMessage | undefined> {
    const row = await this.db
      .selectFrom('webhook_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  /** A session's messages, oldest first. */
  async messagesOf(sessionId: string): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('webhook_outbox')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toMessage);
  }

  /**
   * Removes messages delivered or given up before `before` (DRYDOCK_RETENTION_DAYS),
   * and pending ones made before it (left by a server whose webhook was switched off).
   */
  async forgetBefore(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('webhook_outbox')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '!=', 'pending'), eb('finished_at', '<', before)]),
          eb.and([eb('state', '=', 'pending'), eb('created_at', '<', before)]),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

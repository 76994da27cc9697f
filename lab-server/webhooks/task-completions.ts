/**
 * Which tasks a Check completed, as `task.completed` messages in the outbox. A
 * task completes when a Check passes it for the first time in a session: not at
 * every passing Check, and not again after it broke and was fixed. The session's
 * own Starts and Checks, read back from the store, decide it, folded by the
 * same code as the class dashboard and the CSV export (progress/task-progress.ts),
 * so they agree on attempts and time spent. A task skipped with its solution
 * (`solution-applied`) is shown, not passed, and never sends one. Free of HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { Lab } from '../../lab-format/load.ts';
import { TASK_COMPLETED, type TaskCompleted } from '../../protocol/webhooks.ts';
import {
  addEvent,
  type LabActivity,
  labProgress,
  PROGRESS_EVENTS,
} from '../progress/task-progress.ts';
import type { ClassStore } from '../store/class-store.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { WebhookOutbox } from '../store/webhook-outbox.ts';

export interface CompletionSources {
  sessions: Pick<SessionStore, 'session' | 'events'>;
  classes: Pick<ClassStore, 'membershipsOf'>;
  lab(slug: string): Lab | undefined;
}

/** A Check as the session manager signals it: which session, and when it was recorded. */
export interface CheckedEvent {
  sessionId: string;
  lab: string;
  at: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The tasks whose first pass in the session is the Check recorded at `event.at`. */
export async function completedAt(
  event: CheckedEvent,
  sources: CompletionSources,
): Promise<TaskCompleted[]> {
  const lab = sources.lab(event.lab);
  if (!lab) return [];
  const events = await sources.sessions.events({
    sessionId: event.sessionId,
    types: PROGRESS_EVENTS,
    limit: 100_000,
  });
  // A task whose solution was applied never completes: shown is not passed.
  const activity: LabActivity = { starts: [], checks: [] };
  for (const e of events) addEvent(activity, e);
  const tasks = lab.manifest.tasks;
  const done = labProgress(
    tasks.map((t) => t.id),
    activity,
  ).tasks.filter((t) => t.firstPassedAt === event.at);
  if (done.length === 0) return [];

  const membership = await classOf(event, sources);
  return done.map((t) => ({
    type: TASK_COMPLETED,
    timestamp: iso(event.at),
    data: {
      sessionId: event.sessionId,
      lab: { slug: lab.slug, title: lab.manifest.title },
      task: { id: t.task, title: tasks.find((task) => task.id === t.task)!.title },
      passedAt: iso(event.at),
      attempts: t.attempts,
      ...(t.timeSpentMs === undefined
        ? {}
        : { timeSpentSeconds: Math.round(t.timeSpentMs / 1000) }),
      ...membership,
    },
  }));
}

/** The class the session's learner takes this lab in (the newest, if several), with their membership. */
async function classOf(
  event: CheckedEvent,
  sources: CompletionSources,
): Promise<Pick<TaskCompleted['data'], 'class' | 'member'>> {
  const learner = (await sources.sessions.session(event.sessionId))?.learner;
  if (!learner) return {};
  const found = (await sources.classes.membershipsOf(learner)).find((m) =>
    m.class.labs.includes(event.lab),
  );
  if (!found) return {};
  return {
    class: { id: found.class.id, name: found.class.name },
    member: { id: found.member.id, displayName: found.member.displayName },
  };
}

/**
 * Writes the Check's completions to the outbox for `owner` to deliver; returns
 * how many are new (a completion already there is not written twice).
 */
export async function enqueueCompletions(
  event: CheckedEvent,
  sources: CompletionSources & { outbox: Pick<WebhookOutbox, 'enqueue'> },
  owner: string,
  now = Date.now(),
): Promise<number> {
  let added = 0;
  for (const message of await completedAt(event, sources)) {
    const fresh = await sources.outbox.enqueue({
      id: `msg_${randomBytes(15).toString('base64url')}`,
      owner,
      type: message.type,
      sessionId: message.data.sessionId,
      task: message.data.task.id,
      payload: JSON.stringify(message),
      createdAt: now,
    });
    if (fresh) added++;
  }
  return added;
}

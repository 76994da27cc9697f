/**
 * What a starting server does with what a previous run left, by comparing the
 * store (which session was live, which sandbox served it) with what the engine
 * holds. A session that was ready, whose time is not up and whose sandbox still
 * runs and was set up is adopted: its learner reconnects with the same token to
 * the same shell. Every other live session ends with the reason. A warm
 * sandbox (set up, never claimed) goes back to its pool if it still runs and
 * was made from the lab's current files and images. Every other sandbox is
 * removed, from the engine and the store.
 * One log line says what was done.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { END_MESSAGES, type EndReason } from '../../protocol/end-reasons.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import type { SessionStore } from '../store/session-store.ts';
import { LabRunner } from './lab-runner.ts';
import type { SetUpSandbox } from './sandbox-setup.ts';
import { Session } from './session.ts';

export interface Ended {
  session: Session;
  reason: EndReason;
  message: string;
}

const NOT_SET_UP = 'The sandbox was not set up when the lab server restarted; start a new one.';

export async function reconcile(opts: {
  store: SessionStore;
  provider: SandboxProvider;
  owner: string;
  findLab: (slug: string) => Lab | undefined;
  labVersion: (lab: Lab) => string;
  /** Whether warm sandboxes go back to a pool (none is configured: they are removed). */
  keepWarm: boolean;
  log: FastifyBaseLogger;
}): Promise<{ adopted: Session[]; ended: Ended[]; warm: SetUpSandbox[] }> {
  const { store, provider, owner, log } = opts;
  const [records, rows, found] = await Promise.all([
    store.sessions(owner, { live: true }),
    store.sandboxes(owner),
    provider.list(),
  ]);
  const containers = new Map(found.map((f) => [f.id, f]));
  const adopted: Session[] = [];
  const ended: Ended[] = [];
  const notes: string[] = [];

  for (const record of records) {
    const lab = opts.findLab(record.lab);
    const row = rows.find((r) => r.sessionId === record.id);
    const container = row && containers.get(row.id);
    if (!lab) {
      // The lab was removed from labs/ while the server was down: nothing can run or
      // check it, and no Session can describe it; the record alone says it is over.
      await store.updateSession(record.id, {
        state: 'failed',
        message: `The lab "${record.lab}" is no longer on this server.`,
        endReason: 'failed',
        endedAt: Date.now(),
      });
      notes.push(`session ${record.id} (its lab ${record.lab} no longer exists)`);
      continue;
    }
    const session = Session.fromRecord(record, lab);
    let why: Ended | undefined;
    if (record.state !== 'ready') why = { session, reason: 'failed', message: NOT_SET_UP };
    else if (Date.now() >= record.expiresAt)
      why = { session, reason: 'expired', message: END_MESSAGES.expired };
    else if (!container?.running) why = { session, reason: 'engine', message: END_MESSAGES.engine };
    else {
      const sandbox = await provider.adopt(container.id).catch(() => undefined);
      if (sandbox && (await sandbox.isReady())) {
        // Terminals of the previous run are gone; their tmux clients would linger.
        await sandbox.detachTerminals();
        // A claim raises a warm sandbox's CPU weight a few seconds late: a restart
        // in between would have left it at a warm sandbox's.
        await sandbox.raisePriority().catch(() => undefined);
        session.sandbox = sandbox;
        session.runner = new LabRunner(lab, sandbox, record.seed);
        session.setState('ready', 'Ready');
        adopted.push(session);
        continue;
      }
      why = { session, reason: 'failed', message: NOT_SET_UP };
    }
    ended.push(why);
    notes.push(`session ${record.id} (${why.reason})`);
  }

  const warm: SetUpSandbox[] = [];
  for (const row of rows) {
    if (row.state !== 'warm' || row.sessionId || !opts.keepWarm) continue;
    const container = containers.get(row.id);
    const lab = opts.findLab(row.lab);
    const seed = container?.labels.seed;
    if (!container?.running || !lab || !seed) continue;
    if (container.labels.labVersion !== opts.labVersion(lab)) {
      notes.push(`warm sandbox ${row.id.slice(0, 12)} (lab ${lab.slug} changed since)`);
      continue;
    }
    const sandbox = await provider.adopt(row.id).catch(() => undefined);
    if (!sandbox || !(await sandbox.isReady())) continue;
    warm.push({ sandbox, runner: new LabRunner(lab, sandbox, seed), lab, seed });
  }

  const keep = new Set([...adopted, ...warm].map((s) => s.sandbox!.id));
  const removed = await provider.removeAll(keep);
  for (const row of rows) if (!keep.has(row.id)) await store.removeSandbox(row.id);
  if (adopted.length + warm.length + notes.length + removed > 0) {
    log.info(
      `previous run: adopted ${adopted.length} session(s)${adopted.length ? ` (${adopted.map((s) => s.id).join(', ')})` : ''} and ${warm.length} warm sandbox(es); ` +
        `ended ${notes.length}${notes.length ? `: ${notes.join('; ')}` : ''}; removed ${removed} container(s) no session uses`,
    );
  }
  return { adopted, ended, warm };
}

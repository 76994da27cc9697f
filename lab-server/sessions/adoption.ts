/**
 * What a starting server does with the sandboxes a previous run left: a running
 * sandbox whose labels are complete, whose time is not up and whose lab was set
 * up is adopted (its learner reconnects with the same token, to the same shell);
 * everything else (expired, broken, half-created) is removed. One log line says
 * what was done.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import type { FoundSandbox, SandboxProvider } from '../sandbox/sandbox.ts';
import type { ExtensionStore } from './extension-store.ts';
import { LabRunner } from './lab-runner.ts';
import { END_MESSAGES } from '../../protocol/end-reasons.ts';
import { SESSION_ID } from '../../protocol/session.ts';
import { Session } from './session.ts';

const SHA256 = /^[0-9a-f]{64}$/;

interface Labelled {
  found: FoundSandbox;
  sessionId: string;
  lab: Lab;
  createdAt: Date;
  expiresAt: Date;
  tokenHash: string;
  seed: string;
}

/** The session a sandbox's labels describe, or why they do not describe one. */
function readLabels(
  found: FoundSandbox,
  findLab: (slug: string) => Lab | undefined,
  store: ExtensionStore | undefined,
): Labelled | string {
  const l = found.labels;
  if (!l.sessionId || !SESSION_ID.test(l.sessionId)) return 'no session id';
  const lab = l.lab ? findLab(l.lab) : undefined;
  if (!lab) return `unknown lab ${JSON.stringify(l.lab ?? '')}`;
  const createdAt = new Date(l.createdAt ?? '');
  let expiresAt = new Date(l.expiresAt ?? '');
  if (Number.isNaN(createdAt.getTime()) || Number.isNaN(expiresAt.getTime()))
    return 'no valid created-at/expires-at';
  if (!l.tokenHash || !SHA256.test(l.tokenHash)) return 'no token hash';
  if (!l.seed) return 'no seed';
  const extended = store?.get(l.sessionId);
  if (extended && Date.parse(extended.expiresAt) > expiresAt.getTime())
    expiresAt = new Date(extended.expiresAt);
  return {
    found,
    sessionId: l.sessionId,
    lab,
    createdAt,
    expiresAt,
    tokenHash: l.tokenHash,
    seed: l.seed,
  };
}

export async function adoptSandboxes(opts: {
  provider: SandboxProvider;
  findLab: (slug: string) => Lab | undefined;
  store: ExtensionStore | undefined;
  log: FastifyBaseLogger;
}): Promise<{ adopted: Session[]; ended: Session[] }> {
  const { provider, log } = opts;
  const adopted: Session[] = [];
  const ended: Session[] = [];
  const removed: string[] = [];
  for (const found of await provider.list()) {
    const labelled = readLabels(found, opts.findLab, opts.store);
    const short = found.id.slice(0, 12);
    if (typeof labelled === 'string') {
      removed.push(`${short} (${labelled})`);
      continue;
    }
    const session = new Session({
      id: labelled.sessionId,
      tokenHash: labelled.tokenHash,
      lab: labelled.lab,
      seed: labelled.seed,
      createdAt: labelled.createdAt,
      expiresAt: labelled.expiresAt,
    });
    session.extensions = opts.store?.get(session.id)?.extensions ?? 0;
    let why: 'expired' | 'engine' | 'failed' | undefined;
    if (Date.now() >= labelled.expiresAt.getTime()) why = 'expired';
    else if (!found.running) why = 'engine';
    else {
      const sandbox = await provider.adopt(found.id).catch(() => undefined);
      if (!sandbox || !(await sandbox.isReady())) why = 'failed';
      else {
        // Terminals of the previous run are gone; their tmux clients would linger.
        await sandbox.detachTerminals();
        session.sandbox = sandbox;
        session.runner = new LabRunner(labelled.lab, sandbox, labelled.seed);
        session.setState('ready', 'Ready');
        adopted.push(session);
        continue;
      }
    }
    // Remembered as ended, so that a learner reconnecting with the token learns why.
    session.endReason = why;
    session.setState(
      why === 'failed' ? 'failed' : 'ended',
      why === 'failed'
        ? 'The sandbox was not set up when the lab server restarted; start a new one.'
        : END_MESSAGES[why],
    );
    ended.push(session);
    removed.push(
      `${short} (session ${session.id}: ${why === 'failed' ? 'not set up, or not answering' : why === 'engine' ? 'not running' : 'expired'})`,
    );
  }
  const keep = new Set(adopted.map((s) => s.sandbox!.id));
  await provider.removeAll(keep);
  if (adopted.length > 0 || removed.length > 0) {
    log.info(
      `previous run: adopted ${adopted.length} sandbox(es)${adopted.length ? ` (${adopted.map((s) => s.id).join(', ')})` : ''}; removed ${removed.length}${removed.length ? `: ${removed.join('; ')}` : ''}`,
    );
  }
  return { adopted, ended };
}

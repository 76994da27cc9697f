/**
 * Taking over a learner's typing, and only with their consent (docs/api.md,
 * "Taking over a terminal"). A watcher asks; the learner's page asks them; only
 * once they accept do the watcher's keys reach the shell, and the learner can
 * take control back at any moment. One take-over per session at a time. Each
 * step is kept in the session's events beside the watch it belongs to, so the
 * audit log says who typed in whose terminal, and for how long.
 */
import type { TakeoverOutcome } from '../../protocol/terminal-messages.ts';
import type { SessionChange } from './session-events.ts';
import type { Session, Watcher } from './session.ts';

/** How long a request waits for the learner's answer before it lapses. */
export const TAKEOVER_ASK_MS = 60_000;

/** A take-over asked for or under way; `since` is when it was asked, then when it was granted. */
export interface Takeover {
  watcherId: string;
  name: string;
  state: 'asked' | 'granted';
  since: number;
}

/** What the session's sockets are told when a take-over ends: why, and whose it was. */
export interface TakeoverEnd {
  outcome: TakeoverOutcome;
  watcherId: string;
  name: string;
}

type Record = (session: Session, change: SessionChange) => Promise<void>;

export class TakeoverDesk {
  private readonly record: Record;
  private readonly askMs: number;
  private readonly lapses = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(record: Record, askMs = TAKEOVER_ASK_MS) {
    this.record = record;
    this.askMs = askMs;
  }

  /**
   * A watcher asks to type. Refused, with nothing changed, while another take-over
   * is asked for or under way (the asker is told whose); lapses at once when no
   * page of the learner's is open to ask, and after `askMs` unanswered.
   */
  async ask(session: Session, watcher: Watcher): Promise<void> {
    if (!session.live || session.takeover) return;
    if (session.terminals === 0) {
      session.emit('takeover', {
        outcome: 'unanswered',
        watcherId: watcher.id,
        name: watcher.name,
      });
      return;
    }
    session.takeover = {
      watcherId: watcher.id,
      name: watcher.name,
      state: 'asked',
      since: Date.now(),
    };
    const lapse = setTimeout(() => void this.finish(session, 'unanswered'), this.askMs);
    lapse.unref();
    this.lapses.set(session.id, lapse);
    session.emit('takeover');
    await this.record(session, { type: 'takeover-asked', watcher: watcher.id, by: watcher.name });
  }

  /** The learner's answer to the request pending now (a late answer to a lapsed one does nothing). */
  async answer(session: Session, accept: boolean): Promise<void> {
    const takeover = session.takeover;
    if (!session.live || takeover?.state !== 'asked') return;
    if (!accept) return this.finish(session, 'declined');
    this.clearLapse(session);
    takeover.state = 'granted';
    takeover.since = Date.now();
    session.emit('takeover');
    await this.record(session, {
      type: 'takeover-granted',
      watcher: takeover.watcherId,
      by: takeover.name,
    });
  }

  /** The learner takes control back (or withdraws a request they have not answered). */
  async stop(session: Session): Promise<void> {
    const takeover = session.takeover;
    if (!takeover) return;
    await this.finish(session, takeover.state === 'asked' ? 'declined' : 'stopped');
  }

  /** The watcher gives control back (or cancels their request). */
  async release(session: Session, watcherId: string): Promise<void> {
    if (session.takeover?.watcherId === watcherId) await this.finish(session, 'released');
  }

  /** The watcher stopped watching: whatever they asked for or held ends with the watch. */
  async left(session: Session, watcherId: string): Promise<void> {
    if (session.takeover?.watcherId === watcherId) await this.finish(session, 'left');
  }

  /** The session ended: nothing is pending any more (its sockets close anyway). */
  forget(session: Session): void {
    this.clearLapse(session);
    session.takeover = undefined;
  }

  private async finish(session: Session, outcome: TakeoverOutcome): Promise<void> {
    const takeover = session.takeover;
    if (!takeover) return;
    this.clearLapse(session);
    session.takeover = undefined;
    const { watcherId, name } = takeover;
    session.emit('takeover', { outcome, watcherId, name });
    const granted = takeover.state === 'granted';
    await this.record(session, {
      type: 'takeover-ended',
      watcher: watcherId,
      by: name,
      outcome,
      // Seconds of typing; a request that was never granted typed for none.
      seconds: granted ? Math.round((Date.now() - takeover.since) / 100) / 10 : 0,
    });
  }

  private clearLapse(session: Session): void {
    clearTimeout(this.lapses.get(session.id));
    this.lapses.delete(session.id);
  }
}

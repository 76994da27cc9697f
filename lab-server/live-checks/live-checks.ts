/**
 * Live checks (docs/live-checks.md): while a learner works, their tasks are
 * re-checked on their own, and a task they fixed flips to done without Check.
 * For each ready session: its engine is followed from inside the sandbox, and
 * its terminal's keys and output watched, each feeding the session's trigger
 * (live-check-trigger.ts: debounced, coalesced, within the session's budget);
 * a run takes one of the machine's few slots (live-check-slots.ts) and goes
 * through the session manager, which records and announces what changed as
 * Check does. Free of HTTP: the terminal bridge tells the page.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EngineFollower } from '../sandbox/sandbox.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { SessionEvent } from '../sessions/session-events.ts';
import type { Session } from '../sessions/session.ts';
import type { Signals } from '../signals.ts';
import { LiveCheckBudget } from './live-check-budget.ts';
import { LiveCheckSlots } from './live-check-slots.ts';
import { LiveCheckTrigger, type TriggerCause, type TriggerTimings } from './live-check-trigger.ts';

export interface LiveCheckSettings {
  /** Share of wall time one session's live checks may take (DRYDOCK_LIVE_CHECK_BUDGET); 0 turns them off. */
  share: number;
  /** The sliding window the share is measured over. */
  windowMs: number;
  /** Live runs at once on the whole machine (DRYDOCK_LIVE_CHECK_CONCURRENCY). */
  concurrency: number;
}

/** After any check of a session ends, its engine's events are still the check's own this long. */
const OWN_EVENTS_TAIL_MS = 1000;

interface Followed {
  session: Session;
  trigger: LiveCheckTrigger;
  /** Opened at the learner's first keystroke (see follow). */
  follower: EngineFollower | undefined;
  /** Until when its runs wait for the budget (0: they do not). */
  budgetWaitUntil: number;
  dispose(): void;
}

export class LiveChecks {
  private readonly manager: SessionManager;
  private readonly signals: Signals;
  private readonly settings: LiveCheckSettings;
  private readonly timings: TriggerTimings | undefined;
  private readonly log: FastifyBaseLogger;
  private readonly slots: LiveCheckSlots;
  private readonly followed = new Map<string, Followed>();
  /** Whether live checks run; a benchmark turns them off to measure the floor. */
  enabled: boolean;

  constructor(opts: {
    manager: SessionManager;
    signals: Signals;
    settings: LiveCheckSettings;
    log: FastifyBaseLogger;
    timings?: TriggerTimings;
  }) {
    this.manager = opts.manager;
    this.signals = opts.signals;
    this.settings = opts.settings;
    this.timings = opts.timings;
    this.log = opts.log;
    this.slots = new LiveCheckSlots(opts.settings.concurrency);
    this.enabled = opts.settings.share > 0;
    this.signals.on('session', this.onSession);
  }

  private readonly onSession = (event: SessionEvent): void => {
    if (event.type === 'ready' || event.type === 'adopted') {
      const session = this.manager.find(event.sessionId);
      if (session) this.follow(session);
    } else if (event.type === 'ended') this.unfollow(event.sessionId);
  };

  /** What the gauges read: runs going on, runs waiting for a slot, sessions waiting for their budget. */
  get counts(): { running: number; waitingForSlot: number; waitingForBudget: number } {
    const now = Date.now();
    let waitingForBudget = 0;
    for (const f of this.followed.values()) if (f.budgetWaitUntil > now) waitingForBudget++;
    return { running: this.slots.running, waitingForSlot: this.slots.waiting, waitingForBudget };
  }

  /** Starts following a ready session (its engine and its terminal). */
  follow(session: Session): void {
    if (this.settings.share <= 0 || this.followed.has(session.id) || !session.sandbox) return;
    const log = this.log.child({ session: session.id, lab: session.lab.slug });
    if (!session.lab.manifest.tasks.some((task) => task.live)) return;
    const sandbox = session.sandbox;
    const followed = {} as Followed;
    const trigger = new LiveCheckTrigger({
      budget: new LiveCheckBudget({ share: this.settings.share, windowMs: this.settings.windowMs }),
      ...(this.timings ? { timings: this.timings } : {}),
      ownEvents: () =>
        session.checksRunning > 0 || Date.now() - session.lastCheckEndedAt < OWN_EVENTS_TAIL_MS,
      run: (cause) => this.run(followed, cause),
      onBudgetWait: (ms) => {
        followed.budgetWaitUntil = Date.now() + ms;
        log.debug(
          { waitMs: ms },
          'live checks wait: the session spent its live-check budget (Check still works)',
        );
        this.signals.emit('live-check-deferred', { lab: session.lab.slug });
      },
    });
    // The engine is followed from the learner's first keystroke, not from ready:
    // its changes count only after one (live-check-trigger.ts), and until then
    // the follower would be a process in every untouched sandbox and, when a
    // class claims thirty warm sandboxes at once, thirty more commands for the
    // engine beside the thirty terminals (bench:start --warm --concurrency 30).
    const onTyped = (data: Buffer) => {
      followed.follower ??= sandbox.followEngine(() => {
        if (this.enabled) trigger.engineChanged();
      });
      if (this.enabled) trigger.typed(data);
    };
    const onOutput = () => {
      if (this.enabled) trigger.output();
    };
    session.on('typed', onTyped);
    session.on('output', onOutput);
    Object.assign(followed, {
      session,
      trigger,
      follower: undefined,
      budgetWaitUntil: 0,
      dispose: () => {
        trigger.close();
        followed.follower?.close();
        session.off('typed', onTyped);
        session.off('output', onOutput);
      },
    });
    this.followed.set(session.id, followed);
  }

  private async run(followed: Followed, cause: TriggerCause): Promise<number> {
    const { session } = followed;
    followed.budgetWaitUntil = 0;
    if (!this.enabled || session.state !== 'ready') return 0;
    const release = await this.slots.acquire();
    try {
      if (session.state !== 'ready') return 0;
      const { ms, changed } = await this.manager.liveCheck(session);
      this.signals.emit('live-check', {
        lab: session.lab.slug,
        cause,
        seconds: ms / 1000,
        changed: changed.length,
      });
      return ms;
    } catch (err) {
      this.log.warn({ err, session: session.id }, 'a live check failed to run');
      return 0;
    } finally {
      release();
    }
  }

  private unfollow(sessionId: string): void {
    this.followed.get(sessionId)?.dispose();
    this.followed.delete(sessionId);
  }

  /** Settles when no live run is going on (tests and the benchmark). */
  async settled(): Promise<void> {
    await Promise.all([...this.followed.values()].map((f) => f.trigger.idle));
  }

  close(): void {
    this.signals.off('session', this.onSession);
    for (const id of [...this.followed.keys()]) this.unfollow(id);
  }
}

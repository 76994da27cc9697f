/**
 * The server's Prometheus metrics. One registry per app (never prom-client's
 * global one), so tests that build several apps do not collide. Counters and
 * histograms move on the platform's signals; gauges are read from the session
 * manager and the waiting line when Prometheus scrapes, so they cannot drift.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Signals } from '../signals.ts';

/** What the gauges read at scrape time. */
export interface GaugeSources {
  /** Undefined while labs are not ready (no session manager yet): the gauges read 0. */
  sessions(): { live: number; starting: number; terminals: number; paused: number } | undefined;
  /** Learners holding a place in the waiting line. */
  waiting(): number;
  /** Live checks now: runs going on, runs waiting for a slot, sessions waiting for their budget. */
  liveChecks?(): { running: number; waitingForSlot: number; waitingForBudget: number };
  /** Connections previews hold open into sandboxes (0 with previews off). */
  previewConnections?(): number;
}

/** Start-to-ready takes a few seconds on a quiet host and up to two minutes on a busy one. */
const START_BUCKETS = [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120];
/** One phase of a start: tenths of a second (files copied) to a minute (a heavy setup). */
const PHASE_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 20, 30, 60];
/** A Dockerfile image builds in seconds; the sandbox image (mmdebstrap) in a minute or several. */
const BUILD_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200];

export function createMetrics(signals: Signals, sources: GaugeSources): Registry {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'drydock_sandboxes_live',
    help: 'Sandboxes starting or ready (one per live session).',
    registers,
    collect() {
      this.set(sources.sessions()?.live ?? 0);
    },
  });
  new Gauge({
    name: 'drydock_sandboxes_starting',
    help: 'Sandboxes still starting (engine, images, scenario setup).',
    registers,
    collect() {
      this.set(sources.sessions()?.starting ?? 0);
    },
  });
  new Gauge({
    name: 'drydock_sandboxes_paused',
    help: 'Learners’ sandboxes paused (no CPU) while their learner is away.',
    registers,
    collect() {
      this.set(sources.sessions()?.paused ?? 0);
    },
  });
  new Gauge({
    name: 'drydock_sandboxes_waiting',
    help: 'Learners waiting in line for a sandbox (the host was full when they pressed Start).',
    registers,
    collect() {
      this.set(sources.waiting());
    },
  });
  new Gauge({
    name: 'drydock_terminals_open',
    help: 'Terminal WebSockets attached to sandboxes.',
    registers,
    collect() {
      this.set(sources.sessions()?.terminals ?? 0);
    },
  });

  new Gauge({
    name: 'drydock_live_checks_running',
    help: 'Live-check runs going on now (at most DRYDOCK_LIVE_CHECK_CONCURRENCY).',
    registers,
    collect() {
      this.set(sources.liveChecks?.().running ?? 0);
    },
  });
  new Gauge({
    name: 'drydock_live_checks_waiting',
    help: 'Live-check runs waiting, by reason: slot (the machine-wide cap) or budget (sessions that spent their live-check budget; Check still works).',
    labelNames: ['reason'],
    registers,
    collect() {
      const counts = sources.liveChecks?.();
      this.set({ reason: 'slot' }, counts?.waitingForSlot ?? 0);
      this.set({ reason: 'budget' }, counts?.waitingForBudget ?? 0);
    },
  });

  const started = new Counter({
    name: 'drydock_sessions_started_total',
    help: 'Sessions created (a learner pressed Start and got a sandbox), by lab.',
    labelNames: ['lab'],
    registers,
  });
  const ended = new Counter({
    name: 'drydock_sessions_ended_total',
    help: 'Sessions ended, by lab and reason (stopped, idle, expired, memory, engine, failed, shutdown, capacity, operator).',
    labelNames: ['lab', 'reason'],
    registers,
  });
  const startTime = new Histogram({
    name: 'drydock_session_start_seconds',
    help: 'Time from Start to a ready sandbox (engine up, images loaded, scenario set up), by lab.',
    labelNames: ['lab'],
    buckets: START_BUCKETS,
    registers,
  });
  const phaseTime = new Histogram({
    name: 'drydock_session_start_phase_seconds',
    help: 'Time of each phase of a start (sandbox created and started, its engine up, files copied, images loaded, setup run, shell started; a warm start’s claim), by lab and phase.',
    labelNames: ['lab', 'phase'],
    buckets: PHASE_BUCKETS,
    registers,
  });
  const checks = new Counter({
    name: 'drydock_checks_total',
    help: 'Task checks run for learners, by lab, task and result (passed or failed).',
    labelNames: ['lab', 'task', 'result'],
    registers,
  });
  const builds = new Histogram({
    name: 'drydock_image_build_seconds',
    help: 'Time to build one of the platform’s images (only images that were missing are built), by image.',
    labelNames: ['image'],
    buckets: BUILD_BUCKETS,
    registers,
  });
  const refusals = new Counter({
    name: 'drydock_admission_refusals_total',
    help: 'Requests not served at once, by cause (api-rate, create-rate, sessions-per-client, waiting, line-full).',
    labelNames: ['cause'],
    registers,
  });

  const webhooks = new Counter({
    name: 'drydock_webhook_deliveries_total',
    help: 'Attempts to send the results webhook, by outcome (delivered, retried: it failed and will be tried again, gave-up: the last attempt failed).',
    labelNames: ['outcome'],
    registers,
  });

  const liveRuns = new Counter({
    name: 'drydock_live_check_runs_total',
    help: 'Live-check runs, by lab and cause (engine: the sandbox’s engine changed; terminal: a command ran and the terminal went quiet).',
    labelNames: ['lab', 'cause'],
    registers,
  });
  const liveSeconds = new Counter({
    name: 'drydock_live_check_seconds_total',
    help: 'Time live-check runs took (each run’s checks in parallel, from start to the last verdict), by lab: what the per-session budget counts.',
    labelNames: ['lab'],
    registers,
  });
  const liveChanges = new Counter({
    name: 'drydock_live_check_changes_total',
    help: 'Task verdicts a live check changed (recorded and announced as by Check), by lab and result.',
    labelNames: ['lab', 'result'],
    registers,
  });
  const liveDeferred = new Counter({
    name: 'drydock_live_check_budget_waits_total',
    help: 'Times a session’s live checks had to wait because it spent its budget (DRYDOCK_LIVE_CHECK_BUDGET), by lab.',
    labelNames: ['lab'],
    registers,
  });
  new Gauge({
    name: 'drydock_preview_connections_open',
    help: 'Connections previews hold open into sandboxes (one port forwarder each).',
    registers,
    collect() {
      this.set(sources.previewConnections?.() ?? 0);
    },
  });
  const previews = new Counter({
    name: 'drydock_preview_requests_total',
    help: 'Requests to previews of learners’ web servers, by outcome (docs/api.md, "Previews").',
    labelNames: ['outcome'],
    registers,
  });
  signals.on('preview-request', ({ outcome }) => previews.inc({ outcome }));

  signals.on('session', (event) => {
    const { lab } = event;
    switch (event.type) {
      case 'created':
        return started.inc({ lab });
      case 'ready':
        startTime.observe({ lab }, event.seconds);
        for (const [phase, seconds] of Object.entries(event.phases))
          phaseTime.observe({ lab, phase }, seconds);
        return;
      case 'checked':
        // A live check records only changed verdicts: counted apart, its runs too.
        for (const { task, passed } of event.results)
          if (event.live) liveChanges.inc({ lab, result: passed ? 'passed' : 'failed' });
          else checks.inc({ lab, task, result: passed ? 'passed' : 'failed' });
        return;
      case 'ended':
        return ended.inc({ lab, reason: event.reason });
    }
  });
  signals.on('live-check', ({ lab, cause, seconds }) => {
    liveRuns.inc({ lab, cause });
    liveSeconds.inc({ lab }, seconds);
  });
  signals.on('live-check-deferred', ({ lab }) => liveDeferred.inc({ lab }));
  signals.on('image-built', ({ image, seconds }) => builds.observe({ image }, seconds));
  signals.on('admission-refused', ({ cause }) => refusals.inc({ cause }));
  signals.on('webhook-delivery', ({ outcome }) => webhooks.inc({ outcome }));
  return registry;
}

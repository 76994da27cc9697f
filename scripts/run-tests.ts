/**
 * Runs every test suite for `npm test`, in lanes that run at the same time where
 * they can share the machine, so that CI stays well under its budget on 2 cores.
 *
 * - First, alone: tests that change the host itself (the host-devices test makes
 *   the host's /dev/net/tun unusable for a while; any sandbox started meanwhile by
 *   another lane would die).
 * - Then four lanes at once, each one `node --test` process running its files one
 *   after another: the lab contract and most of the adversarial suite (mostly
 *   waiting on sandboxes) and the accessibility check, against PostgreSQL; unit,
 *   engine and browser tests of the platform, against SQLite; the suites that go
 *   through the session store again (AGAIN_ON_POSTGRES) and a few suites run
 *   only there (ONLY_ON_POSTGRES),
 *   against PostgreSQL; and the compose deployment, whose image build mostly waits
 *   on the network, followed by the longest browser suites and a few others
 *   (BESIDE_DEPLOY), against SQLite.
 *
 * The machine has 2 cores and the four lanes keep both busy, so a lane's time is
 * mostly its share of the CPU: what shortens the run is less work (each suite run
 * once unless the second store is the point of it; Node's compile cache, shared by
 * every test file, CLI and server process), then lanes of about equal length.
 *
 * Each lane's lines are printed as they come, prefixed with the lane's name; a
 * lane's full output is also kept in .drydock/test-logs/. The last line is the
 * plain total, "N passed, N failed"; before it, each lane's failing tests are
 * printed again, so that the end of a long CI log (often all that is shown)
 * says which tests failed and why.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureServerBundle } from './build-server.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const STATE = process.env.DRYDOCK_STATE_DIR ?? join(ROOT, '.drydock');
const LOGS = join(STATE, 'test-logs');

interface Lane {
  name: string;
  files: string[];
  /** Added to the lane's environment (DRYDOCK_TEST_STORE_URL: the session store its servers use). */
  env?: Record<string, string>;
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

interface LaneResult extends Totals {
  name: string;
  /** The reporter's "failing tests" section, at most RECAP_LINES lines of it. */
  failures: string[];
}

async function files(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const file of glob(pattern, { cwd: ROOT })) found.push(file);
  return found.sort();
}

const EXCLUSIVE = ['test/engine/host-devices.test.ts'];
/**
 * Adversarial suites that run beside the compose deployment or on PostgreSQL
 * instead of after the lab contract: with them, the labs lane took 27 of a CI
 * rehearsal's 30 minutes (the lab contract alone 21).
 */
const ADVERSARIAL_ELSEWHERE = {
  deploy: ['test/adversarial/exhaustion.test.ts'],
  postgres: [
    'test/adversarial/checks.test.ts',
    'test/adversarial/network.test.ts',
    'test/adversarial/preview.test.ts',
  ],
};
const LABS = [
  'test/engine/lab-contract.test.ts',
  ...(await files('test/adversarial/**/*.test.ts')).filter(
    (file) => !Object.values(ADVERSARIAL_ELSEWHERE).flat().includes(file),
  ),
  // The built site in Chromium, no engine and a store in memory: it fills the
  // lane's slack (the lab contract is about 21 of the 23 minutes).
  'test/e2e/accessibility.test.ts',
  // A site built with a content pack, then served: the platform lane was the
  // longest of a CI rehearsal by almost 3 minutes.
  'test/e2e/content-pack-site.test.ts',
];
const DEPLOY = ['test/engine/compose-deployment.test.ts'];
/**
 * The longest browser suites run in the deploy lane, which is otherwise over in
 * a minute and a half: left in the platform lane, they made it the one the whole
 * run waits for (26 of 29 minutes in a CI rehearsal). The lanes' lengths are
 * kept about equal (each about 23 minutes of the rehearsal's per-file times); a
 * suite that moves changes two of them, so check both in .drydock/test-logs/.
 */
const BESIDE_DEPLOY = [
  'test/e2e/class-session.test.ts',
  'test/e2e/lab-keys.test.ts',
  'test/e2e/lab-commands-and-hints.test.ts',
  'test/e2e/terminal-output.test.ts',
  'test/e2e/skip-solution.test.ts',
  'test/e2e/live-checks.test.ts',
  'test/e2e/editor.test.ts',
  'test/e2e/terminal-tabs.test.ts',
  'test/e2e/preview.test.ts',
  'test/e2e/page-weight.test.ts',
  'test/e2e/class-dashboard.test.ts',
  'test/e2e/dev-loop.test.ts',
  ...ADVERSARIAL_ELSEWHERE.deploy,
];
/**
 * Engine and browser suites that run once, in the PostgreSQL lane: it has room,
 * and each goes through the session store there as it would on SQLite.
 */
const ONLY_ON_POSTGRES = [
  'test/e2e/warm-start.test.ts',
  'test/engine/cli-labs.test.ts',
  'test/engine/session-faults.test.ts',
  'test/engine/capacity.test.ts',
  'test/engine/skip-solution.test.ts',
  'test/engine/live-checks.test.ts',
  'test/engine/sandbox-files.test.ts',
  'test/engine/session-terminals.test.ts',
  'test/engine/preview.test.ts',
  'test/engine/lab-solve-steps.test.ts',
  'test/engine/memory-capacity.test.ts',
  'test/engine/engine-states.test.ts',
  'test/engine/results-webhook.test.ts',
  'test/engine/class-warming.test.ts',
];
const taken = new Set([
  ...EXCLUSIVE,
  ...LABS,
  ...DEPLOY,
  ...BESIDE_DEPLOY,
  ...ONLY_ON_POSTGRES,
  ...ADVERSARIAL_ELSEWHERE.postgres,
]);
const PLATFORM = [
  ...(await files('test/unit/**/*.test.ts')),
  ...(await files('test/store/**/*.test.ts')),
  ...(await files('test/engine/**/*.test.ts')).filter((file) => !taken.has(file)),
  ...(await files('test/e2e/**/*.test.ts')).filter((file) => !taken.has(file)),
];

/**
 * PostgreSQL for the lanes that run against it (scripts/drydock's ensure_postgres
 * makes the database). The platform lane runs on SQLite, the default; the labs
 * lane and the `postgres` lane (the API suites and the restart suites again) on
 * PostgreSQL, so every code path of the store runs on both.
 */
const POSTGRES = process.env.DRYDOCK_TEST_SUITES_URL;
if (!POSTGRES) {
  console.error(
    'DRYDOCK_TEST_SUITES_URL is not set: run the tests with `npm test` (scripts/drydock test), which installs and starts PostgreSQL for them.',
  );
  process.exit(2);
}
const onPostgres = { DRYDOCK_TEST_STORE_URL: POSTGRES };
/**
 * Unit suites that never open the lane's session store (none builds the app on
 * it, opens a test store or runs a CLI verb that reads it): each passes with
 * DRYDOCK_TEST_STORE_URL pointing at a closed port, which is how this list was
 * found and how to check a file before adding it. They run once, on SQLite;
 * run again on PostgreSQL they repeated the same work for nothing (about four
 * minutes of the PostgreSQL lane). A new unit suite runs on both until it is
 * listed here.
 */
const STORE_FREE_UNITS = new Set([
  'test/unit/admission.test.ts',
  'test/unit/allocator.test.ts',
  'test/unit/api.test.ts',
  'test/unit/caddy-recipe.test.ts',
  'test/unit/capacity-guard.test.ts',
  'test/unit/cgroup.test.ts',
  'test/unit/class-capacity-api.test.ts',
  'test/unit/class-capacity.test.ts',
  'test/unit/class-warming.test.ts',
  'test/unit/cli-args.test.ts',
  'test/unit/cli-import.test.ts',
  'test/unit/cli-labs.test.ts',
  'test/unit/config.test.ts',
  'test/unit/content-packs.test.ts',
  'test/unit/docs-in-step.test.ts',
  'test/unit/engine-config.test.ts',
  'test/unit/engine-states.test.ts',
  'test/unit/error-match.test.ts',
  'test/unit/extra-keys.test.ts',
  'test/unit/flow-control.test.ts',
  'test/unit/health.test.ts',
  'test/unit/host-probe.test.ts',
  'test/unit/image-catalog.test.ts',
  'test/unit/killercoda-import.test.ts',
  'test/unit/known-hosts.test.ts',
  'test/unit/lab-format.test.ts',
  'test/unit/lab-schema.test.ts',
  'test/unit/lab-shellcheck.test.ts',
  'test/unit/lab-stats.test.ts',
  'test/unit/lab-version.test.ts',
  'test/unit/lab-watch.test.ts',
  'test/unit/learner-progress.test.ts',
  'test/unit/lesson-sections.test.ts',
  'test/unit/live-checks.test.ts',
  'test/unit/memory-meter.test.ts',
  'test/unit/oidc-config.test.ts',
  'test/unit/origin-check.test.ts',
  'test/unit/password-hash.test.ts',
  'test/unit/preview-grants.test.ts',
  'test/unit/public-url-site.test.ts',
  'test/unit/public-url.test.ts',
  'test/unit/restricted-pages.test.ts',
  'test/unit/results-csv.test.ts',
  'test/unit/run-marker.test.ts',
  'test/unit/sandbox-env.test.ts',
  'test/unit/sandbox-start-failure.test.ts',
  'test/unit/server-bundle.test.ts',
  'test/unit/server-start.test.ts',
  'test/unit/static-compression.test.ts',
  'test/unit/symptom-sections.test.ts',
  'test/unit/systemd-unit.test.ts',
  'test/unit/task-progress.test.ts',
  'test/unit/terminal-errors.test.ts',
  'test/unit/terminal-messages.test.ts',
  'test/unit/tmux-control.test.ts',
  'test/unit/webhook-config.test.ts',
]);
/**
 * Unit suites that open the store but test something else through it (the wire
 * protocol, headers, logs, files, previews, terminals, fuzzing the API's input):
 * their store calls are the same ones the suites run on both make, so they run
 * once, on SQLite.
 */
const ONCE_THOUGH_THEY_OPEN_THE_STORE = new Set([
  'test/unit/api-fuzz.test.ts',
  'test/unit/check-turns.test.ts',
  'test/unit/file-api.test.ts',
  'test/unit/log-redaction.test.ts',
  'test/unit/metrics.test.ts',
  'test/unit/oidc-api.test.ts',
  'test/unit/preview-api.test.ts',
  'test/unit/protocol.test.ts',
  'test/unit/restricted-content-api.test.ts',
  'test/unit/security-headers.test.ts',
  'test/unit/session-terminals.test.ts',
  'test/unit/setup-queue.test.ts',
  'test/unit/terminal-protocol.test.ts',
]);
/**
 * What runs on PostgreSQL as well: the unit suites that go through the store
 * (the API over HTTP, sign-in, classes, the CLI's verbs on the store). Every
 * store operation runs on both in test/store; the engine and browser suites run
 * once, most on SQLite, those in ONLY_ON_POSTGRES on PostgreSQL (a learner's
 * warm start and a restart adopting their session among them). Running the
 * session's life, its faults, limits, capacity, metrics and a learner's visit
 * in Chromium on both cost a CI rehearsal on a new machine about 8 minutes of
 * lane time, and found nothing the store's own suites did not.
 */
const AGAIN_ON_POSTGRES = [
  ...(await files('test/unit/**/*.test.ts')).filter(
    (file) => !STORE_FREE_UNITS.has(file) && !ONCE_THOUGH_THEY_OPEN_THE_STORE.has(file),
  ),
  ...ONLY_ON_POSTGRES,
  ...ADVERSARIAL_ELSEWHERE.postgres,
];

/** The spec reporter's closing counts, e.g. "ℹ pass 12". */
const COUNT = /^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/;

/**
 * Node's compile cache (type-stripped and compiled code, on disk), shared by every
 * process of the run: each test file is a process of its own, and so is each CLI
 * and server a test starts, which all load much the same modules. It halved the
 * CPU time of suites that run the CLI. Emptied at each start, so that it never
 * grows: a run fills it for its own processes, as on a fresh CI machine.
 */
const COMPILE_CACHE = join(STATE, 'compile-cache');

/**
 * A lane silent this long is stopped: a test file whose process never exits
 * (something left open) would otherwise hold the whole run until CI's own
 * timeout, with nothing said. Stopped, Node's runner names the file it was
 * running. The longest single test prints after under 3 minutes.
 */
const SILENT_LIMIT_MS = 10 * 60_000;
/** The spec reporter's heading of its closing list of failures (each with its error). */
const FAILING_HEADING = '✖ failing tests:';
const RECAP_LINES = 60;
const STACK_FRAME = /^\s+at /;

function runLane(lane: Lane): Promise<LaneResult> {
  const laneStarted = Date.now();
  mkdirSync(LOGS, { recursive: true });
  const log = createWriteStream(join(LOGS, `${lane.name}.log`));
  const child = spawn(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', ...lane.files],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NODE_COMPILE_CACHE: COMPILE_CACHE, ...lane.env },
    },
  );
  const totals: LaneResult = { name: lane.name, passed: 0, failed: 0, skipped: 0, failures: [] };
  let inFailures = false;
  const prefix = `[${lane.name}] `;
  let lastLineAt = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastLineAt < SILENT_LIMIT_MS) return;
    clearInterval(watchdog);
    console.log(
      `${prefix}no output for ${SILENT_LIMIT_MS / 60_000} minutes: stopping the lane (a test file that does not exit?)`,
    );
    totals.failed += 1;
    totals.failures.push(`no output for ${SILENT_LIMIT_MS / 60_000} minutes; the lane was stopped`);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  }, 15_000);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lastLineAt = Date.now();
      log.write(`${line}\n`);
      process.stdout.write(`${prefix}${line}\n`);
      if (line.trim() === FAILING_HEADING) inFailures = true;
      // Stack frames are in the lane's log; the recap keeps where and what.
      else if (inFailures && !STACK_FRAME.test(line) && totals.failures.length < RECAP_LINES)
        totals.failures.push(line);
      const count = COUNT.exec(line.trim());
      if (!count) return;
      const n = Number(count[2]);
      if (count[1] === 'pass') totals.passed += n;
      else if (count[1] === 'fail' || count[1] === 'cancelled') totals.failed += n;
      else totals.skipped += n;
    });
  }
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(watchdog);
      log.end();
      // A lane that died without its counts (a crash before the reporter's summary) still fails.
      if (code !== 0 && totals.failed === 0) {
        totals.failed = 1;
        totals.failures.push(
          `the lane ended with ${code === null ? 'a signal' : `exit ${code}`} before its summary`,
        );
      }
      console.log(
        `${prefix}done: ${totals.passed} passed, ${totals.failed} failed (exit ${code ?? 'signal'}) after ${Math.round((Date.now() - laneStarted) / 1000)} s`,
      );
      resolve(totals);
    });
  });
}

// Tests that start the server as a process run its bundle: built once here,
// before lanes that would otherwise each find it stale at once.
if (await ensureServerBundle()) console.log('built the server bundle');

rmSync(COMPILE_CACHE, { recursive: true, force: true });
const started = Date.now();
const phases: Lane[][] = [
  [{ name: 'alone', files: EXCLUSIVE }],
  [
    { name: 'labs', files: LABS, env: onPostgres },
    { name: 'platform', files: PLATFORM },
    { name: 'postgres', files: AGAIN_ON_POSTGRES, env: onPostgres },
    { name: 'deploy', files: [...DEPLOY, ...BESIDE_DEPLOY] },
  ],
];
const total: Totals = { passed: 0, failed: 0, skipped: 0 };
const failing: LaneResult[] = [];
for (const phase of phases) {
  const results = await Promise.all(phase.filter((lane) => lane.files.length).map(runLane));
  for (const result of results) {
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
    if (result.failed) failing.push(result);
  }
}
for (const lane of failing) {
  console.log(
    `failing in the ${lane.name} lane (its whole log: ${join(LOGS, `${lane.name}.log`)}):`,
  );
  for (const line of lane.failures.filter((l) => l.trim())) console.log(`  ${line}`);
}
console.log(`tests took ${Math.round((Date.now() - started) / 1000)} s; logs in ${LOGS}`);
const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exit(total.failed === 0 && total.skipped === 0 ? 0 : 1);

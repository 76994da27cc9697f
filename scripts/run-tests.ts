/**
 * Runs every test suite for `npm test`, in lanes that run at the same time where
 * they can share the machine, so that CI stays well under its budget on 2 cores.
 *
 * - First, alone: tests that change the host itself (the host-devices test makes
 *   the host's /dev/net/tun unusable for a while; any sandbox started meanwhile by
 *   another lane would die).
 * - Then four lanes at once, each one `node --test` process running its files one
 *   after another: the lab contract and the adversarial suite (mostly waiting on
 *   sandboxes), against PostgreSQL; unit, engine and browser tests of the
 *   platform, against SQLite; the suites that go through the session store again
 *   (AGAIN_ON_POSTGRES), against PostgreSQL; and the compose deployment, whose
 *   image build mostly waits on the network, followed by the longest browser
 *   suites (BESIDE_DEPLOY).
 *
 * Each lane's lines are printed as they come, prefixed with the lane's name; a
 * lane's full output is also kept in .drydock/test-logs/. The last line is the
 * plain total, "N passed, N failed".
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureServerBundle } from './build-server.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const LOGS = join(process.env.DRYDOCK_STATE_DIR ?? join(ROOT, '.drydock'), 'test-logs');

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

async function files(pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const file of glob(pattern, { cwd: ROOT })) found.push(file);
  return found.sort();
}

const EXCLUSIVE = ['test/engine/host-devices.test.ts'];
const LABS = [
  'test/engine/lab-contract.test.ts',
  ...(await files('test/adversarial/**/*.test.ts')),
];
const DEPLOY = ['test/engine/compose-deployment.test.ts'];
/**
 * The longest browser suites run in the deploy lane, which is otherwise over in
 * a minute and a half: left in the platform lane, they made it the one the whole
 * run waits for (26 of 29 minutes in a CI rehearsal).
 */
const BESIDE_DEPLOY = [
  'test/e2e/class-session.test.ts',
  'test/e2e/lab-keys.test.ts',
  'test/e2e/lab-commands-and-hints.test.ts',
  'test/e2e/terminal-output.test.ts',
];
const taken = new Set([...EXCLUSIVE, ...LABS, ...DEPLOY, ...BESIDE_DEPLOY]);
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
 * What runs on PostgreSQL as well: every suite that reads or writes sessions
 * through the server (the API, the session's life and its faults, limits,
 * capacity, metrics, a restart adopting sessions, and in Chromium a learner's
 * whole visit and a warm start), so that each path of the store is proven on
 * both. The browser suites that test the page and the terminal alone (framing,
 * accessibility, output, a proxy in front) touch the store the same way and
 * run once.
 */
const AGAIN_ON_POSTGRES = [
  ...(await files('test/unit/**/*.test.ts')),
  'test/engine/session-lifecycle.test.ts',
  'test/engine/session-faults.test.ts',
  'test/engine/session-limits.test.ts',
  'test/engine/capacity.test.ts',
  'test/engine/metrics.test.ts',
  'test/e2e/learner-flow.test.ts',
  'test/e2e/warm-start.test.ts',
];

/** The spec reporter's closing counts, e.g. "ℹ pass 12". */
const COUNT = /^ℹ (pass|fail|cancelled|skipped|todo) (\d+)$/;

function runLane(lane: Lane): Promise<Totals> {
  mkdirSync(LOGS, { recursive: true });
  const log = createWriteStream(join(LOGS, `${lane.name}.log`));
  const child = spawn(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', ...lane.files],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', ...lane.env },
    },
  );
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  const prefix = `[${lane.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      process.stdout.write(`${prefix}${line}\n`);
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
      log.end();
      // A lane that died without its counts (a crash before the reporter's summary) still fails.
      if (code !== 0 && totals.failed === 0) totals.failed = 1;
      console.log(
        `${prefix}done: ${totals.passed} passed, ${totals.failed} failed (exit ${code ?? 'signal'})`,
      );
      resolve(totals);
    });
  });
}

// Tests that start the server as a process run its bundle: built once here,
// before lanes that would otherwise each find it stale at once.
if (await ensureServerBundle()) console.log('built the server bundle');

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
for (const phase of phases) {
  const results = await Promise.all(phase.filter((lane) => lane.files.length).map(runLane));
  for (const result of results) {
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
  }
}
console.log(`tests took ${Math.round((Date.now() - started) / 1000)} s; logs in ${LOGS}`);
const skipped = total.skipped ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exit(total.failed === 0 && total.skipped === 0 ? 0 : 1);

/**
 * Benchmark: live checks in a class on one machine (docs/live-checks.md). A
 * class of N is warmed on one lab; N learners join, Start and keep their
 * terminals open. Then three storms, every learner typing at once:
 *
 *   1. live checks on, a command that changes each engine but fixes nothing:
 *      every session's tasks are re-checked, and nothing flips;
 *   2. live checks off, the same command, for as long as storm 1 lasted: the
 *      floor;
 *   3. live checks on, the fix: each learner's tasks flip to done.
 *
 * Prints the CPU live checks used (the sandboxes' cgroups in storm 1 against
 * the floor, and the runs' own time as the budget counts it, total and per
 * session), the time from typing the fix to the last of the learner's tasks
 * flipping (p50/p95), and the page's responsiveness in each storm: p95 of
 * GET /api/sessions/:id (a few pollers, round robin over the class), of
 * terminal echoes (two learners' terminals), and the server's event-loop delay.
 * On demand only:
 *   npm run bench:live-checks -- [N] [--lab <slug>] [--cold]
 * `--cold`: the learners' sandboxes start cold (a few at a time) instead of
 * from a warmed pool, for a machine too busy to warm a class quickly.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../lab-server/app.ts';
import { loadConfig } from '../lab-server/config.ts';
import type { SignalMap } from '../lab-server/signals.ts';
import { LEARNER_HEADER } from '../protocol/learner-id.ts';
import { EchoProbe, type EchoStats, quantile } from '../test/support/echo-probe.ts';
import { apiPoster, signInBenchInstructor } from './bench-http.ts';
import { TerminalClient } from '../test/support/terminal-client.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lab: { type: 'string', default: 'dangling-images-cleanup' },
    cold: { type: 'boolean', default: false },
  },
});
const size = Number(positionals[0] ?? 30);
const lab = values.lab;
/** A change to each engine that fixes nothing in this lab (a tag, then its removal). */
const CHANGE =
  'docker tag drydock/lab-base:latest bench:probe && docker rmi bench:probe >/dev/null';
/** The lab's fix, as its solve script does it. */
const FIXES: Record<string, string> = {
  'dangling-images-cleanup':
    'docker image prune --force --filter label=project=beacon --filter until=24h >/dev/null',
};
const fix = FIXES[lab];
if (!fix) throw new Error(`no fix known for ${lab}; known: ${Object.keys(FIXES).join(', ')}`);
const PROMPT = /sandbox:[^\n]*[#$] $/m;
const PASSWORD = 'bench-live-checks-password';
/** Clients asking for a session's state all the time, as pages do now and then. */
const POLLERS = 4;
/** Two more learners of the class whose terminals are probed for echoes; they take no part in the storms. */
const ECHOES = 2;
const STORE = join(tmpdir(), `drydock-bench-live-checks-${process.pid}.sqlite`);

const app = await buildApp(
  loadConfig({
    DRYDOCK_MAX_SANDBOXES: String(size + ECHOES + 2),
    ...process.env,
    DRYDOCK_WARM_MAX: values.cold ? '0' : String(size + ECHOES),
    DRYDOCK_WARM_POOLS: '',
    DRYDOCK_OWNER: `bench-live-${process.pid}`,
    DRYDOCK_DATABASE_URL: `sqlite:${STORE}`,
    DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_LOG_LEVEL ?? 'warn',
    DRYDOCK_SHUTDOWN: 'remove',
    // The pollers ask far more often than a page does: not the limits under test.
    DRYDOCK_API_RATE: '1000000',
    DRYDOCK_API_RATE_PER_ADDRESS: '10000000',
  }),
);
// Stopped early (Ctrl-C): the sandboxes go with the app.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void app.close().finally(() => process.exit(130)));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const status = await app.backend.whenSettled();
if (!status.available) throw new Error(`labs unavailable: ${status.reason}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const post = apiPoster(url);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

interface Learner {
  learner: string;
  session: { id: string; token: string };
  terminal: TerminalClient;
}

const runs: SignalMap['live-check'][0][] = [];
let budgetWaits = 0;
app.signals.on('live-check', (run) => runs.push(run));
app.signals.on('live-check-deferred', () => budgetWaits++);

/** What the page's responsiveness was while `storm` ran, and the CPU it took. */
interface StormFigures {
  seconds: number;
  sandboxCpu: number;
  serverCpu: number;
  api: number[];
  echo: EchoStats[];
  loopP99: number;
  loopMax: number;
}

async function measure(
  learners: Learner[],
  watchers: Learner[],
  storm: () => Promise<void>,
): Promise<StormFigures> {
  const sandboxes = learners.map((l) => app.sessions.find(l.session.id)!.sandbox!);
  const cpu = () => Promise.all(sandboxes.map((sb) => sb.cpuSeconds()));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const api: number[] = [];
  let polling = true;
  const pollers = Array.from({ length: POLLERS }, async (_, p) => {
    for (let i = p; polling; i += POLLERS) {
      const l = learners[i % learners.length]!;
      const started = performance.now();
      const res = await fetch(`${url}/api/sessions/${l.session.id}`, {
        headers: { authorization: `Bearer ${l.session.token}` },
      });
      await res.arrayBuffer();
      api.push(performance.now() - started);
      await pause(100);
    }
  });
  const probes = watchers.map((l) => new EchoProbe(l.terminal));
  const cpuBefore = await cpu();
  const serverBefore = process.cpuUsage();
  const started = performance.now();
  loop.enable();
  for (const probe of probes) probe.start();
  await storm();
  const echo = await Promise.all(probes.map((probe) => probe.stop()));
  loop.disable();
  const seconds = (performance.now() - started) / 1000;
  const server = process.cpuUsage(serverBefore);
  const cpuAfter = await cpu();
  polling = false;
  await Promise.all(pollers);
  return {
    seconds,
    sandboxCpu: cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i]!, 0),
    serverCpu: (server.user + server.system) / 1e6,
    api,
    echo,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
  };
}

/** Every learner types `command` at once; resolves when each terminal printed `done-<n>`. */
async function typeAll(learners: Learner[], command: string, tag: string): Promise<number[]> {
  const typedAt: number[] = [];
  await Promise.all(
    learners.map(async (l, i) => {
      const marker = `${tag}-${i}-done`;
      typedAt[i] = performance.now();
      l.terminal.type(`${command}; echo ${tag}-$((${i}))-done\r`);
      await l.terminal.waitForOutput(new RegExp(`\\n${marker}\\n`), 120_000);
    }),
  );
  return typedAt;
}

/** Waits until no live run is going on or waiting for a while (the debounces and the quiet terminal included). */
async function liveRunsOver(): Promise<void> {
  let seen = -1;
  while (
    seen !== runs.length ||
    app.liveChecks.counts.running + app.liveChecks.counts.waitingForSlot > 0
  ) {
    seen = runs.length;
    await pause(2500);
    await app.liveChecks.settled();
  }
}

function line(name: string, f: StormFigures): string {
  return (
    `${name}: ${f.seconds.toFixed(1)} s; GET /api/sessions/:id p50 ${ms(quantile(f.api, 50))}, p95 ${ms(quantile(f.api, 95))} (${f.api.length} asked); ` +
    `terminal echo p50 ${ms(Math.max(...f.echo.map((e) => e.p50)))}, p99 ${ms(Math.max(...f.echo.map((e) => e.p99)))} ` +
    `(${f.echo.reduce((n, e) => n + e.count, 0)} echoes, ${f.echo.reduce((n, e) => n + e.lost, 0)} lost); ` +
    `server event loop p99 ${ms(f.loopP99)}, max ${ms(f.loopMax)}; ` +
    `CPU: sandboxes ${f.sandboxCpu.toFixed(1)} s, lab server ${f.serverCpu.toFixed(1)} s`
  );
}

let classId: string | undefined;
let cookie = '';
const everyone: Learner[] = [];
try {
  cookie = await signInBenchInstructor(app.accounts.users, post, PASSWORD);
  const created = await post(
    '/classes',
    {
      name: `Live checks bench of ${size}`,
      labs: [lab],
      opensAt: new Date(Date.now() + 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      expectedSize: size + ECHOES,
    },
    { cookie },
  );
  const made = (await created.json()) as { id: string; joinCode: string };
  classId = made.id;

  const warming = performance.now();
  for (let said = 0; !values.cold;) {
    const warm = app.pool.status().find((p) => p.lab === lab)?.warm ?? 0;
    if (warm >= size + ECHOES) break;
    if (performance.now() - said > 10_000) {
      said = performance.now();
      console.log(`warming the class: ${warm}/${size + ECHOES} ready (${s(said - warming)})`);
    }
    await pause(250);
  }
  if (!values.cold) console.log(`class of ${size} warmed in ${s(performance.now() - warming)}`);

  await Promise.all(
    Array.from({ length: size + ECHOES }, async (_, i) => {
      const learner = `bench-live-${process.pid}-${String(i).padStart(3, '0')}`;
      await post(
        '/join',
        { code: made.joinCode, displayName: `Learner ${i + 1}` },
        { [LEARNER_HEADER]: learner },
      );
      const res = await post('/sessions', { lab }, { [LEARNER_HEADER]: learner });
      const session = (await res.json()) as { id: string; token: string };
      const terminal = TerminalClient.open(url, session.id, session.token);
      await terminal.waitForControl('ready', 900_000);
      await terminal.waitForOutput(PROMPT, 60_000);
      everyone.push({ learner, session, terminal });
    }),
  );
  const watchers = everyone.slice(0, ECHOES);
  const learners = everyone.slice(ECHOES);
  console.log(
    `${size} learners at a prompt, live checks ${app.liveChecks.enabled ? 'on' : 'off'} (budget ${app.config.liveChecks.share * 100}% of a minute, ${app.config.liveChecks.concurrency} at once)`,
  );
  await pause(3000);

  // 1. Live checks on, an engine change that fixes nothing.
  const firstRun = runs.length;
  const live = await measure(learners, watchers, async () => {
    await typeAll(learners, CHANGE, 'live');
    await liveRunsOver();
  });
  const stormRuns = runs.slice(firstRun);
  console.log(line('storm with live checks', live));

  // 2. The floor: live checks off, the same change, for as long.
  app.liveChecks.enabled = false;
  const floor = await measure(learners, watchers, async () => {
    const started = performance.now();
    await typeAll(learners, CHANGE, 'floor');
    await pause(Math.max(0, live.seconds * 1000 - (performance.now() - started)));
  });
  console.log(line('the floor, live checks off', floor));
  app.liveChecks.enabled = true;

  // The budget's minute slides past the first storm's runs.
  await pause(60_000);

  // 3. The fix: from typing it to the learner's last task flipping.
  const tasks = app.labs.lab(lab)!.manifest.tasks.map((t) => t.id);
  const before = learners.map((l) => l.terminal.control.length);
  const flips: number[] = [];
  const fixed = await measure(learners, watchers, async () => {
    await Promise.all(
      learners.map(async (l, i) => {
        const typed = performance.now();
        l.terminal.type(`${fix}\r`);
        const passed = new Set<string>();
        await l.terminal.waitFor(
          () => {
            for (const m of l.terminal.control.slice(before[i])) {
              if (m.type !== 'live-check') continue;
              for (const r of m.results as { task: string; passed: boolean }[])
                if (r.passed) passed.add(r.task);
            }
            return tasks.every((t) => passed.has(t));
          },
          'every task flipped',
          180_000,
        );
        flips[i] = performance.now() - typed;
      }),
    );
  });
  console.log(line('storm of fixes, live checks on', fixed));

  const runSeconds = stormRuns.reduce((sum, r) => sum + r.seconds, 0);
  const extra = live.sandboxCpu - floor.sandboxCpu;
  console.log(
    `\nlive checks in the first storm: ${stormRuns.length} runs (${stormRuns.filter((r) => r.cause === 'engine').length} after an engine change, ${stormRuns.filter((r) => r.cause === 'terminal').length} after a quiet terminal) for ${size} sessions; ` +
      `their time as the budget counts it (run durations): ${runSeconds.toFixed(1)} s in all, ${(runSeconds / size).toFixed(2)} s per session; ` +
      `the CPU the sandboxes used beyond the floor (cgroups): ${extra.toFixed(1)} s in all, ${(extra / size).toFixed(2)} s per session; ` +
      `the lab server's own CPU beyond the floor: ${(live.serverCpu - floor.serverCpu).toFixed(1)} s`,
  );
  console.log(
    `fix typed → the learner's last task flipped: p50 ${s(quantile(flips, 50))}, p95 ${s(quantile(flips, 95))}, max ${s(Math.max(...flips))}; budget waits in the whole run: ${budgetWaits}`,
  );
} finally {
  for (const l of everyone) l.terminal.close();
  if (classId) await post(`/classes/${classId}/end`, {}, { cookie }).catch(() => {});
  await app.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${STORE}${suffix}`, { force: true });
}

/**
 * Benchmark: how many ready sandboxes of a lab one machine holds until
 * admission says full, what each really uses (memory, idle CPU), what the
 * memory meter costs at that density, and how promptly a neighbour's terminal
 * echoes there. On demand only:
 *   npm run bench:density -- [lab-slug] [--max N] [--batch N] [--settle-seconds S] [--idle-seconds S] [--echo-seconds S] [--paused]
 * Sandboxes are started through the API, `batch` at a time (default 2), each
 * batch ready before the next, until a start is answered `503 FULL` or `--max`
 * are ready. The server's DRYDOCK_* settings come from the environment
 * (e.g. DRYDOCK_MEMORY_OVERCOMMIT); the count cap is lifted to `--max` and the
 * per-learner limits are lifted, so that memory decides. Idle CPU is measured
 * once the youngest sandbox is `settle` seconds old (default 150): a lab that
 * teaches a crash loop restarts fast at first, and Docker's backoff reaches its
 * one-a-minute ceiling about two minutes in; a class pays for the steady state
 * all day, the first minutes once. A neighbour's echo is measured twice, with
 * the first sandbox alone and at density, each once its sandboxes are that old
 * (the first wait is left out of the time to fill). With --paused it then
 * waits until every sandbox is paused (DRYDOCK_PAUSE_IDLE_AFTER after its last
 * use; default 10 minutes, docs/operating.md) and measures idle CPU again.
 * Ctrl-C removes everything it started. Other users of the engine make the figures
 * indicative: it prints the host's load with them. For named-volume-masks-image
 * and `--max` 40 or more it ends with issue #10's goals for them, met or not.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { floorOf, memoryBudget } from '../lab-server/admission/room.ts';
import { ownerFilter } from '../lab-server/labels.ts';
import type { Session } from '../lab-server/sessions/session.ts';
import { EchoProbe, type EchoStats, formatStats } from '../test/support/echo-probe.ts';
import { openTerminal } from '../test/support/learner.ts';
import { leftovers, newOwner, startPlatform, type TestPlatform } from '../test/support/platform.ts';
import { printGoals } from './bench-goals.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    max: { type: 'string', default: '200' },
    batch: { type: 'string', default: '2' },
    'settle-seconds': { type: 'string', default: '150' },
    'idle-seconds': { type: 'string', default: '60' },
    'echo-seconds': { type: 'string', default: '20' },
    paused: { type: 'boolean', default: false },
  },
});
/** The lab and the count that #10's goals for a class on one machine are set for. */
const CLASS_LAB = 'named-volume-masks-image';
const CLASS_SIZE = 40;
const lab = positionals[0] ?? CLASS_LAB;
const max = Number(values.max);
const batch = Number(values.batch);
const settleSeconds = Number(values['settle-seconds']);
const idleSeconds = Number(values['idle-seconds']);
const echoSeconds = Number(values['echo-seconds']);
for (const [name, n] of Object.entries({ max, batch, settleSeconds, idleSeconds, echoSeconds }))
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);

const MiB = 1024 ** 2;
const owner = newOwner('density');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

/** The engine's CPU time so far in ms, when it runs here and says where (/var/run/docker.pid). */
function engineCpuMs(): number | undefined {
  try {
    const pid = readFileSync('/var/run/docker.pid', 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const passOn = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[0].startsWith('DRYDOCK_') && entry[1] !== undefined,
  ),
);
const platform: TestPlatform = await startPlatform(
  {
    ...passOn,
    DRYDOCK_OWNER: owner,
    DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_LOG_LEVEL ?? 'warn',
    DRYDOCK_MAX_SANDBOXES: String(Math.min(max + batch, 1000)),
    DRYDOCK_IDLE_TIMEOUT: '2h',
    DRYDOCK_SESSIONS_PER_CLIENT: '1000',
    DRYDOCK_SESSIONS_PER_ADDRESS: '10000',
    DRYDOCK_API_RATE: '1000000',
    DRYDOCK_API_RATE_PER_ADDRESS: '10000000',
  },
  { listen: true },
);
let cleaning: Promise<void> | undefined;
let interrupted = false;
/** Removes everything this run started, once, however it ends. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await platform.close().catch((error: Error) => console.error(`closing: ${error.message}`));
    // Whatever the server could not remove (a start cut short), by this run's owner label.
    const docker = new Docker();
    const left = await docker.listContainers({ all: true, filters: ownerFilter(owner) });
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
    );
    const remaining = await leftovers(owner);
    if (remaining.length) console.error(`left behind: ${remaining.join(', ')}`);
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: removing the sandboxes this run started…`);
    void cleanUp().finally(() => process.exit(130));
  });

const wiring = platform.app.capacity;
const { app, sessions } = platform;
const config = app.config;
const labDef = app.labs.lab(lab);
if (!labDef) throw new Error(`no lab "${lab}"`);

const ceiling = config.sandbox.memoryBytes + config.sandbox.diskBytes;
const floor = floorOf(ceiling, config.memoryOvercommit);
const memTotal = (await new Docker().info()) as { MemTotal: number };
const budget = memoryBudget(config, { memTotalBytes: memTotal.MemTotal })!;
console.log(
  `lab ${lab}; host ${mib(memTotal.MemTotal)}, planned for sandboxes ${mib(budget)} (reserve ${mib(config.hostReserve.memoryBytes)}); ` +
    `limit ${mib(ceiling)} per sandbox, overcommit ${config.memoryOvercommit} → each counts at least ${mib(floor)}; ` +
    `by limits the host would hold ${Math.floor(budget / ceiling)}`,
);

const ready: Session[] = [];
let refusal: string | undefined;
let failed = 0;
let baseline: EchoStats | undefined;
let address = 0;
let lastReadyAt = performance.now();

/** One learner presses Start: the session, or why admission said no. */
async function press(): Promise<Session | string> {
  address++;
  const res = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    remoteAddress: `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
    payload: { lab },
  });
  const body = res.json<{ id: string; token: string; error?: { code: string; message: string } }>();
  if (res.statusCode !== 201)
    return `${res.statusCode} ${body.error?.code}: ${body.error?.message}`;
  return sessions.get(body.id, body.token);
}

/** What every ready sandbox used over `--idle-seconds`, as shares of one core. */
async function idleCpu(): Promise<{ cpu: number[]; cpuTotal: number; windowSeconds: number }> {
  const cpuBefore = await Promise.all(ready.map((s) => s.sandbox!.cpuSeconds()));
  const windowStart = performance.now();
  await pause(idleSeconds * 1000);
  const cpuAfter = await Promise.all(ready.map((s) => s.sandbox!.cpuSeconds()));
  const windowSeconds = (performance.now() - windowStart) / 1000;
  const cpu = cpuAfter.map((after, i) => (after - cpuBefore[i]!) / windowSeconds);
  return { cpu, cpuTotal: cpu.reduce((a, b) => a + b, 0), windowSeconds };
}

const describeCpu = (cpu: number[], total: number) =>
  `all together ${(total * 100).toFixed(1)} % of one core; per sandbox mean ${((total / cpu.length) * 100).toFixed(2)} %, max ${(Math.max(...cpu) * 100).toFixed(2)} %`;

try {
  let reported = 0;
  const fillStart = performance.now();
  let probeMs = 0;
  while (ready.length < max && !refusal && !interrupted) {
    // The first sandbox starts alone: its echo then is the baseline for the one at density.
    const size = ready.length === 0 ? 1 : Math.min(batch, max - ready.length);
    const answers = await Promise.all(Array.from({ length: size }, press));
    for (const answer of answers) if (typeof answer === 'string') refusal = answer;
    const admitted = answers.filter((a): a is Session => typeof a !== 'string');
    await Promise.all(admitted.map((s) => s.provisioned));
    lastReadyAt = performance.now();
    for (const s of admitted) {
      if (s.state === 'ready') ready.push(s);
      else {
        failed++;
        console.log(`a sandbox failed to start: ${s.message}`);
      }
    }
    if (ready.length === 1 && !baseline) {
      const probeStart = performance.now();
      // As old as the sandboxes are when the neighbour's echo is measured at density:
      // a young crash loop restarts every few seconds, and each restart stalls echoes ~35 ms.
      console.log(`settling for ${settleSeconds} s before the echo of one sandbox alone`);
      await pause(settleSeconds * 1000);
      const terminal = await openTerminal(platform, ready[0]!);
      baseline = (await new EchoProbe(terminal).during(() => pause(echoSeconds * 1000))).stats;
      terminal.close();
      probeMs = performance.now() - probeStart;
    }
    if (Math.floor(ready.length / 10) > reported || refusal) {
      reported = Math.floor(ready.length / 10);
      console.log(`${elapsed()}: ${ready.length} ready${failed ? `, ${failed} failed` : ''}`);
    }
  }
  // Ctrl-C: the signal handler removes everything and exits.
  if (interrupted) await new Promise(() => {});
  // Pressing Start until full, without the baseline's probe.
  const fillSeconds = (performance.now() - fillStart - probeMs) / 1000;
  console.log(refusal ? `admission said: ${refusal}` : `stopped at --max ${max}`);

  // Let starts' bursts and young crash loops settle before measuring what idle sandboxes cost.
  const settleLeft = settleSeconds * 1000 - (performance.now() - lastReadyAt);
  if (settleLeft > 0) {
    console.log(
      `settling for ${Math.round(settleLeft / 1000)} s (the youngest sandbox is to be ${settleSeconds} s old)`,
    );
    await pause(settleLeft);
  }
  const reading = (await wiring.meter.read(0))!;
  const uses = ready
    .map((s) => reading.sandboxes.get(s.sandbox!.id))
    .filter((bytes) => bytes !== undefined);
  const mean = uses.reduce((a, b) => a + b, 0) / uses.length;

  const { cpu, cpuTotal, windowSeconds } = await idleCpu();

  // What the meter costs: fresh readings of every sandbox, as the guard takes one every 2 s.
  const reads = 10;
  const engineBefore = engineCpuMs();
  const ownBefore = process.cpuUsage();
  const readStart = performance.now();
  for (let i = 0; i < reads; i++) await wiring.meter.read(0);
  const readMs = (performance.now() - readStart) / reads;
  const own = process.cpuUsage(ownBefore);
  const ownMs = (own.user + own.system) / 1000 / reads;
  const engineAfter = engineCpuMs();
  const engineMs =
    engineBefore === undefined || engineAfter === undefined
      ? undefined
      : (engineAfter - engineBefore) / reads;

  console.log(`\n${ready.length} ready sandboxes of ${lab} in ${fillSeconds.toFixed(0)} s`);
  console.log(
    `  memory per sandbox (working set): mean ${mib(mean)}, max ${mib(Math.max(...uses))}; all together ${mib(mean * uses.length)}; host available ${reading.hostAvailableBytes === undefined ? 'unknown' : mib(reading.hostAvailableBytes)}`,
  );
  console.log(`  idle CPU over ${windowSeconds.toFixed(0)} s: ${describeCpu(cpu, cpuTotal)}`);
  console.log(
    `  memory meter, one reading of ${ready.length}: ${readMs.toFixed(0)} ms, ${ownMs.toFixed(1)} ms CPU here` +
      (engineMs === undefined ? '' : `, ${engineMs.toFixed(0)} ms CPU in dockerd`) +
      ` → every 2 s: ${(((ownMs + (engineMs ?? 0)) / 2000) * 100).toFixed(1)} % of one core`,
  );
  // Printed before the echo probe: a terminal that fails to open loses nothing measured above.
  const terminal = await openTerminal(platform, ready.at(-1)!);
  const dense = (await new EchoProbe(terminal).during(() => pause(echoSeconds * 1000))).stats;
  terminal.close();
  if (baseline) console.log(`  neighbour's echo alone:          ${formatStats(baseline)}`);
  console.log(`  neighbour's echo at ${ready.length} sandboxes: ${formatStats(dense)}`);
  if (values.paused) {
    const limitMs = config.pauseIdleAfterMs;
    if (limitMs <= 0) throw new Error('--paused needs pausing on (DRYDOCK_PAUSE_IDLE_AFTER > 0)');
    const waitStart = performance.now();
    // The last use (the echo probe) plus the quiet period, the CPU sample and a tick or two.
    const deadline = Date.now() + limitMs + 3 * 60_000;
    while (ready.some((s) => !s.sandbox!.paused)) {
      if (Date.now() > deadline)
        throw new Error(
          `${ready.filter((s) => !s.sandbox!.paused).length} sandbox(es) were not paused in time`,
        );
      await pause(1000);
    }
    console.log(
      `  all ${ready.length} paused ${((performance.now() - waitStart) / 1000).toFixed(0)} s after the echo probe`,
    );
    const paused = await idleCpu();
    console.log(
      `  idle CPU once paused, over ${paused.windowSeconds.toFixed(0)} s: ${describeCpu(paused.cpu, paused.cpuTotal)}`,
    );
  }
  console.log(
    `  load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (lab === CLASS_LAB && max >= CLASS_SIZE)
    printGoals('#10', [
      [`at least ${CLASS_SIZE} ready`, ready.length >= CLASS_SIZE],
      [`neighbour's echo p99 ≤ 30 ms at ${ready.length}`, dense.p99 <= 30],
      [`idle CPU of all ${ready.length} ≤ 25 % of one core`, cpuTotal <= 0.25],
    ]);
} finally {
  await wiring.guard.stop();
  await cleanUp();
}

/**
 * Benchmark: time from pressing Start (POST /api/sessions) to a shell prompt in
 * the terminal, alone or with many learners pressing Start at once, and how long
 * each phase of a start took. On demand only:
 *   npm run bench:start -- [lab-slug] [--runs N] [--concurrency N] [--warm]
 * Each run starts `concurrency` sessions at once (a class pressing Start); a
 * learner the host cannot admit yet waits in line as the browser does (503 FULL,
 * asked again with its ticket after Retry-After). Prints each run, then p50 / p95
 * / max of Start → ready and Start → prompt, and the median of each phase
 * (signals.ts START_PHASES, plus the shell's attach after ready).
 * The first run after a server start is "cold" for the session path.
 * Cold starts by default (no warm pool). With --warm, the lab gets a warm pool of
 * `concurrency` sandboxes, and each run waits until it is full before pressing Start.
 * Ends with issue #10's goals that a run of this shape can judge, met or not.
 */
import { parseArgs, stripVTControlCharacters } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../lab-server/app.ts';
import { loadConfig } from '../lab-server/config.ts';
import { START_PHASES, type StartPhase } from '../lab-server/signals.ts';
import { quantile } from '../test/support/echo-probe.ts';
import { printGoals, type Goal } from './bench-goals.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1' },
    warm: { type: 'boolean', default: false },
  },
});
const lab = positionals[0] ?? 'named-volume-masks-image';
// `bench:start -- <lab> <runs>` as before.
const runs = Number(positionals[1] ?? values.runs);
const concurrency = Number(values.concurrency);
const warm = values.warm;

// One client starts many sandboxes here: lift the per-client limits unless the caller set them.
const app = await buildApp(
  loadConfig({
    DRYDOCK_CREATE_RATE: '10000',
    DRYDOCK_API_RATE: '100000',
    DRYDOCK_SESSIONS_PER_CLIENT: String(Math.max(concurrency, 2)),
    // A warm pool fills only while a learner would still find room beside it.
    ...(warm ? { DRYDOCK_MAX_SANDBOXES: String(2 * concurrency + 2) } : {}),
    ...process.env,
    DRYDOCK_WARM_POOLS: warm ? `${lab}=${concurrency}` : '',
    DRYDOCK_WARM_MAX: warm ? String(concurrency) : '0',
    DRYDOCK_OWNER: `bench-${process.pid}`,
    DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_LOG_LEVEL ?? 'warn',
    DRYDOCK_SHUTDOWN: 'remove',
  }),
);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const status = await app.backend.whenSettled();
if (!status.available) throw new Error(`labs unavailable: ${status.reason}`);

const phases = new Map<StartPhase | 'attach', number[]>();
const record = (phase: StartPhase | 'attach', seconds: number) =>
  phases.set(phase, [...(phases.get(phase) ?? []), seconds]);
app.signals.on('session', (event) => {
  if (event.type !== 'ready') return;
  for (const [phase, seconds] of Object.entries(event.phases)) record(phase as StartPhase, seconds);
});

/** The sandbox's prompt (images/sandbox/rootfs/etc/profile.d/drydock.sh). */
const PROMPT = /sandbox:[^\n]*[#$] /;
const PROMPT_TIMEOUT_MS = 120_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST /api/sessions, waiting in line like the browser while the host is full. */
async function start(): Promise<{ id: string; token: string; waited: boolean }> {
  let ticket: string | undefined;
  for (;;) {
    const res = await fetch(`${url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ticket ? { lab, ticket } : { lab }),
    });
    const body = (await res.json()) as {
      id: string;
      token: string;
      error?: { code: string; queue?: { ticket: string } };
    };
    if (res.ok) return { id: body.id, token: body.token, waited: ticket !== undefined };
    if (body.error?.code !== 'FULL' || !body.error.queue)
      throw new Error(`Start refused: ${res.status} ${JSON.stringify(body)}`);
    ticket = body.error.queue.ticket;
    const retryAfter = Number(res.headers.get('retry-after') ?? 5);
    await pause(Math.min(Math.max(retryAfter, 1), 15) * 1000);
  }
}

interface Timing {
  /** The POST's answer: the session exists (and is stored). */
  answeredMs: number;
  readyMs: number;
  promptMs: number;
  waited: boolean;
}

async function once(): Promise<Timing> {
  const started = performance.now();
  const session = await start();
  const answeredMs = performance.now() - started;
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/sessions/${session.id}/terminal?token=${session.token}`,
  );
  let readyMs = 0;
  let output = '';
  const promptMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no prompt within ${PROMPT_TIMEOUT_MS / 1000} s; output: ${JSON.stringify(output.slice(-300))}`,
          ),
        ),
      PROMPT_TIMEOUT_MS,
    );
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) {
        const message = JSON.parse(data.toString()) as { type: string; message?: string };
        if (message.type === 'ready') readyMs = performance.now() - started;
        if (message.type === 'ended') reject(new Error(message.message));
        return;
      }
      output += data.toString();
      // The prompt comes live, or inside the screen restored on attach (then followed by
      // cursor moves) when the shell wrote it before tmux answered the captures.
      if (PROMPT.test(stripVTControlCharacters(output))) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  // A claimed warm sandbox's screen can arrive before the ready message: no wait then.
  record('attach', Math.max(0, promptMs - readyMs) / 1000);
  ws.close();
  await fetch(`${url}/api/sessions/${session.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${session.token}` },
  });
  return { answeredMs, readyMs, promptMs, waited: session.waited };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (ms: number[]) =>
  `p50 ${seconds(quantile(ms, 50))}, p95 ${seconds(quantile(ms, 95))}, max ${seconds(Math.max(...ms))}`;

/** Waits until the lab's warm pool is full (a class arriving at a prepared server). */
async function poolFull(): Promise<void> {
  const started = Date.now();
  let said = 0;
  for (;;) {
    const pool = app.pool.status().find((p) => p.lab === lab);
    if ((pool?.warm ?? 0) >= concurrency) return;
    if (Date.now() - said > 10_000) {
      said = Date.now();
      console.log(
        `  warm pool: ${pool?.warm ?? 0}/${concurrency} ready (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    }
    await pause(250);
  }
}

/** The lab of #10's cold goals, which it sets for a lab with a trivial setup (one small service). */
const TRIVIAL_SETUP_LAB = 'health-check-states';
/** A class pressing Start at once, as #10's burst goals count it. */
const CLASS = 30;

/** #10's goals that a run of this shape can judge; `byRun` holds each run's timings. */
function goals(byRun: Timing[][]): Goal[] {
  const promptsOf = (timings: Timing[]) => timings.map((t) => t.promptMs);
  const prompts = promptsOf(byRun.flat());
  if (warm && concurrency === 1)
    return [
      ['warm Start → prompt p50 ≤ 0.3 s', quantile(prompts, 50) <= 300],
      ['warm Start → prompt p95 ≤ 0.6 s', quantile(prompts, 95) <= 600],
    ];
  if (warm && concurrency >= CLASS)
    return [
      [
        `${concurrency} warm Starts at once → prompt p95 ≤ 1.5 s in every run`,
        byRun.every((run) => quantile(promptsOf(run), 95) <= 1500),
      ],
    ];
  if (warm || lab !== TRIVIAL_SETUP_LAB) return [];
  if (concurrency === 1) return [['cold Start → prompt p50 ≤ 3 s', quantile(prompts, 50) <= 3000]];
  if (concurrency >= CLASS)
    return [
      [
        `${concurrency} cold Starts at once → all ready within 60 s in every run`,
        byRun.every((run) => Math.max(...run.map((t) => t.readyMs)) <= 60_000),
      ],
    ];
  return [];
}

const byRun: Timing[][] = [];
try {
  for (let run = 1; run <= runs; run++) {
    if (warm) await poolFull();
    const timings = await Promise.all(Array.from({ length: concurrency }, once));
    byRun.push(timings);
    const waited = timings.filter((t) => t.waited).length;
    console.log(
      `run ${run}${warm ? ' (warm)' : run === 1 ? ' (cold)' : ''}, ${concurrency} at once: ` +
        (concurrency === 1
          ? `ready ${seconds(timings[0]!.readyMs)}, prompt ${seconds(timings[0]!.promptMs)}`
          : `prompt ${spread(timings.map((t) => t.promptMs))}${waited ? ` (${waited} waited in line)` : ''}`),
    );
  }
  const all = byRun.flat();
  console.log(
    `\nlab ${lab}, ${runs} run(s) of ${concurrency} ${warm ? 'warm' : 'cold'} Start(s) at once:`,
  );
  console.log(`  Start → answer: ${spread(all.map((t) => t.answeredMs))}`);
  console.log(`  Start → ready:  ${spread(all.map((t) => t.readyMs))}`);
  console.log(`  Start → prompt: ${spread(all.map((t) => t.promptMs))}`);
  console.log(
    `  phases (median): ${[...START_PHASES, 'attach' as const]
      .filter((phase) => phases.has(phase))
      .map((phase) => `${phase} ${quantile(phases.get(phase) ?? [0], 50).toFixed(2)} s`)
      .join(', ')}`,
  );
  printGoals('#10', goals(byRun));
} finally {
  await app.close();
}

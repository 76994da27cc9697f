/**
 * Benchmark: a class on one machine. An instructor creates a class of N and its
 * sandboxes are warmed; N learners join it, press Start at once and get a
 * prompt; then all of them press Check at once while the instructor's
 * dashboard follows the class live. Prints Start → prompt and Check's answer →
 * the dashboard showing it (p50 / p95 / max), against issue #11's goals. On
 * demand only:
 *   npm run bench:class -- [N] [--lab <slug>]
 * Each learner is its own browser identity, all behind one address, as a class
 * in one room is.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, stripVTControlCharacters } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../lab-server/app.ts';
import { loadConfig } from '../lab-server/config.ts';
import type { ClassLiveMessage, ClassProgress } from '../protocol/class-progress.ts';
import { LEARNER_HEADER } from '../protocol/learner-id.ts';
import { quantile } from '../test/support/echo-probe.ts';
import { apiPoster, signInBenchInstructor } from './bench-http.ts';
import { printGoals } from './bench-goals.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lab: { type: 'string', default: 'named-volume-masks-image' } },
});
const size = Number(positionals[0] ?? 30);
const lab = values.lab;
const GOALS = { promptP95: 2, dashboardP95: 1 };
const PROMPT = /sandbox:[^\n]*[#$] /;
const PASSWORD = 'bench-class-password';
const STORE = join(tmpdir(), `drydock-bench-class-${process.pid}.sqlite`);

const app = await buildApp(
  loadConfig({
    // Room for the class and a spare; the warm pool is the class's reservation.
    DRYDOCK_MAX_SANDBOXES: String(size + 2),
    ...process.env,
    DRYDOCK_WARM_MAX: String(size),
    DRYDOCK_WARM_POOLS: '',
    DRYDOCK_OWNER: `bench-class-${process.pid}`,
    // A store of its own: the bench's instructor, class and sessions are nobody's records.
    DRYDOCK_DATABASE_URL: `sqlite:${STORE}`,
    DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_LOG_LEVEL ?? 'warn',
    DRYDOCK_SHUTDOWN: 'remove',
  }),
);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const status = await app.backend.whenSettled();
if (!status.available) throw new Error(`labs unavailable: ${status.reason}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const post = apiPoster(url);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (ms: number[]) =>
  `p50 ${s(quantile(ms, 50))}, p95 ${s(quantile(ms, 95))}, max ${s(Math.max(...ms))}`;

/** The dashboard: every picture the live feed sends, with when it came. */
class Dashboard {
  readonly pictures: { at: number; progress: ClassProgress }[] = [];
  private readonly ws: WebSocket;
  constructor(classId: string, cookie: string) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}/api/classes/${classId}/live`, {
      headers: { origin: url, cookie },
    });
    this.ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ClassLiveMessage;
      this.pictures.push({ at: performance.now(), progress: message.progress });
    });
  }
  /** When a picture after `since` first showed this member with more than `checks` Checks. */
  async shows(memberId: string, since: number, timeoutMs = 30_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = this.pictures.find(
        (p) =>
          p.at >= since &&
          p.progress.learners.some(
            (l) =>
              l.memberId === memberId &&
              Object.values(l.labs)
                .flat()
                .some((cell) => cell.attempts > 0),
          ),
      );
      if (seen) return seen.at;
      if (performance.now() > deadline) throw new Error(`the dashboard never showed ${memberId}`);
      await pause(5);
    }
  }
  close(): void {
    this.ws.close();
  }
}

interface Learner {
  learner: string;
  memberId: string;
  session?: { id: string; token: string };
  promptMs?: number;
}

/** Start → prompt for one learner, as the browser does it. */
async function startAndPrompt(l: Learner): Promise<void> {
  const started = performance.now();
  const res = await post('/sessions', { lab }, { [LEARNER_HEADER]: l.learner });
  l.session = (await res.json()) as { id: string; token: string };
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/sessions/${l.session.id}/terminal?token=${l.session.token}`,
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no prompt within 120 s')), 120_000);
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) return;
      output += data.toString();
      if (PROMPT.test(stripVTControlCharacters(output))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  l.promptMs = performance.now() - started;
  ws.close();
}

let dashboard: Dashboard | undefined;
let classId: string | undefined;
let cookie = '';
try {
  cookie = await signInBenchInstructor(app.accounts.users, post, PASSWORD);
  const created = await post(
    '/classes',
    {
      name: `Bench class of ${size}`,
      labs: [lab],
      opensAt: new Date(Date.now() + 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      expectedSize: size,
    },
    { cookie },
  );
  const made = (await created.json()) as { id: string; joinCode: string };
  classId = made.id;

  const warming = performance.now();
  for (let said = 0; ;) {
    const warm = app.pool.status().find((p) => p.lab === lab)?.warm ?? 0;
    if (warm >= size) break;
    if (performance.now() - said > 10_000) {
      said = performance.now();
      console.log(`warming the class: ${warm}/${size} ready (${s(said - warming)})`);
    }
    await pause(250);
  }
  console.log(`class of ${size} warmed in ${s(performance.now() - warming)}`);

  const learners: Learner[] = [];
  for (let i = 0; i < size; i++) {
    const learner = `bench-class-${process.pid}-${String(i).padStart(3, '0')}`;
    const res = await post(
      '/join',
      { code: made.joinCode, displayName: `Learner ${i + 1}` },
      { [LEARNER_HEADER]: learner },
    );
    const membership = (await res.json()) as { id: string };
    learners.push({ learner, memberId: membership.id });
  }
  dashboard = new Dashboard(classId, cookie);

  await Promise.all(learners.map(startAndPrompt));
  const prompts = learners.map((l) => l.promptMs!);
  console.log(`${size} Starts at once → prompt: ${spread(prompts)}`);

  // Everyone presses Check at once; each latency runs from that learner's answer.
  const latencies = await Promise.all(
    learners.map(async (l) => {
      const res = await fetch(`${url}/api/sessions/${l.session!.id}/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${l.session!.token}` },
      });
      if (!res.ok) throw new Error(`Check: ${res.status} ${await res.text()}`);
      const answered = performance.now();
      return (await dashboard!.shows(l.memberId, 0)) - answered;
    }),
  );
  const lags = latencies.map((ms) => Math.max(0, ms));
  console.log(`${size} Checks at once → the dashboard shows each: ${spread(lags)}`);
  printGoals('#11', [
    [
      `${size} learners: Start → prompt p95 ≤ ${GOALS.promptP95} s`,
      quantile(prompts, 95) <= GOALS.promptP95 * 1000,
    ],
    [
      `the dashboard p95 ≤ ${GOALS.dashboardP95} s after a Check`,
      quantile(lags, 95) <= GOALS.dashboardP95 * 1000,
    ],
  ]);
} finally {
  dashboard?.close();
  if (classId) await post(`/classes/${classId}/end`, {}, { cookie }).catch(() => {});
  await app.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${STORE}${suffix}`, { force: true });
}

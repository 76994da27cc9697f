/**
 * Benchmark: Drydock's terminal (WebSocket → lab server → the learner's shell)
 * against its floor, a raw `docker exec -it` into the same sandbox through a pty
 * (`script`), and against WeTTY running that same `docker exec -it`
 * (scripts/wetty-for-bench.ts), in one run: echo p50/p99, how soon Ctrl-C
 * stops `yes`, how many lines of `seq 1 10000` arrive, how long 50 MB take to
 * print, and each server's memory just after a session got ready, idle (20 s
 * later) and per open terminal. Idle memory has a floor of its own: the same
 * stack with none of Drydock's code
 * (scripts/stack-floor-server.ts). On demand only:
 *   npm run bench:terminal -- [echo-samples]
 * Each server runs as its own process (lab-server/server.ts started as
 * `drydock start` starts it), so that its RSS is its own; each client
 * acknowledges output as its browser page does.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import Docker from 'dockerode';
import { ownerFilter } from '../lab-server/labels.ts';
import { PROFILES } from '../lab-server/sandbox/profiles.ts';
import { api } from '../test/support/api.ts';
import {
  EchoProbe,
  type EchoStats,
  type EchoTarget,
  percentile,
} from '../test/support/echo-probe.ts';
import { leftovers, newOwner, ROOT } from '../test/support/platform.ts';
import { spawnServer } from '../test/support/server-process.ts';
import { TerminalClient } from '../test/support/terminal-client.ts';
import { printGoals, type Goal } from './bench-goals.ts';
import { rssMiB, stackFloorIdleRss } from './stack-floor-for-bench.ts';
import { ensureWetty, startWetty, WETTY_VERSION, WettyTerminal } from './wetty-for-bench.ts';

const echoSamples = Number(process.argv[2] ?? 200);
const LAB = 'named-volume-masks-image';
const EXTRA_TERMINALS = 8;
const BIG_BYTES = 50_000_000;
/**
 * How long a server sits with nothing to do before its idle RSS is read, and
 * before the last reading. V8 shrinks its heap once allocation has stopped for
 * a while (its memory reducer starts 8 s after), so a reading 3 s after a
 * session got ready still holds what that start allocated; that one is
 * printed too.
 */
const SETTLE_AFTER_MS = 20_000;
/** The reading just after a session got ready. */
const JUST_AFTER_MS = 3000;
const PROMPT = /sandbox:[^\n]*[#$] $/;
const SIZE = { cols: 120, rows: 32 };
const WETTY_DIR = join(process.env.DRYDOCK_STATE_DIR ?? join(ROOT, '.drydock'), 'wetty');

interface Side extends EchoTarget {
  output: string;
  received: number;
}

/** The floor: `docker exec -it` in a pty of its own, as a person at the host would type it. */
class PtyTerminal implements Side {
  output = '';
  received = 0;
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly listeners = new Set<(chunk: string) => void>();

  constructor(command: string) {
    this.child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output += text;
      this.received += chunk.length;
      for (const listener of this.listeners) listener(text);
    });
  }

  onOutput(listener: (chunk: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  type(text: string): void {
    this.child.stdin.write(text);
  }

  close(): void {
    this.child.kill();
  }
}

/** Resolves with the ms until the last 2 KiB of output, as read, pass `test`. */
function until(side: Side, test: (tail: string) => boolean, what: string, timeoutMs = 300_000) {
  const started = performance.now();
  let tail = '';
  return new Promise<number>((resolve, reject) => {
    const check = (chunk: string) => {
      tail = (tail + chunk).slice(-2048);
      // Only the tail matters here: keeping 50 MB of text would measure the client.
      if (side.output.length > 1 << 20) side.output = '';
      if (!test(stripVTControlCharacters(tail).replaceAll('\r', ''))) return;
      clearTimeout(timer);
      stop();
      resolve(performance.now() - started);
    };
    const stop = side.onOutput(check);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for ${what}; last output: ${JSON.stringify(tail)}`));
    }, timeoutMs);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function echo(side: Side): Promise<EchoStats> {
  const probe = new EchoProbe(side);
  for (let i = 0; i < 10; i++) await probe.once(); // warm up
  await probe.stop();
  for (let i = 0; i < echoSamples; i++) {
    await probe.once();
    await sleep(20);
  }
  return probe.stop();
}

const CTRL_C_RUNS = 5;

/** ms from Ctrl-C (typed once `yes` has printed 1 MB) to the prompt. */
async function ctrlCOnce(side: Side): Promise<number> {
  const from = side.received;
  side.type('yes\r');
  await until(side, () => side.received - from > 1 << 20, '1 MB of yes');
  const stopped = until(side, (tail) => PROMPT.test(tail), 'the prompt after Ctrl-C');
  side.type('\x03');
  return stopped;
}

/** The median of CTRL_C_RUNS stops: one run varies by a factor of two. */
async function ctrlC(side: Side): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < CTRL_C_RUNS; i++) {
    runs.push(await ctrlCOnce(side));
    await sleep(300);
  }
  return percentile(
    runs.sort((a, b) => a - b),
    50,
  );
}

/** Distinct lines of `seq 1 10000` that arrived. */
async function seqLines(side: Side): Promise<number> {
  side.output = '';
  const done = until(side, (tail) => /seq-42-done/.test(tail), 'seq to finish');
  side.type("seq -f 'L%g' 1 10000; echo seq-$((40+2))-done\r");
  await done;
  await sleep(300);
  return new Set(side.output.match(/L\d+(?=[^\d])/g)).size;
}

/** Seconds until 50 MB of 100-byte lines are printed and the marker after them shows. */
async function big(side: Side): Promise<number> {
  const done = until(side, (tail) => /big-42-done/.test(tail), 'the 50 MB to print');
  side.type(`head -c ${BIG_BYTES} /dev/zero | tr '\\0' x | fold -w 99; echo big-$((40+2))-done\r`);
  return (await done) / 1000;
}

interface Created {
  id: string;
  token: string;
}

async function openDrydock(url: string, session: Created) {
  const terminal = TerminalClient.open(url, session.id, session.token);
  await terminal.waitForControl('ready', 120_000);
  await terminal.waitForOutput(PROMPT, 30_000);
  terminal.ws.send(JSON.stringify({ type: 'resize', ...SIZE }));
  return terminal;
}

async function openWetty(server: Awaited<ReturnType<typeof startWetty>>) {
  const terminal = new WettyTerminal(WETTY_DIR, server, SIZE);
  await until(terminal, (tail) => PROMPT.test(tail), 'WeTTY’s prompt', 60_000);
  return terminal;
}

/**
 * RSS growth per terminal, for each server: `opens[i]` opens one terminal on
 * server `pids[i]`. Both servers first sit idle (V8 has shrunk what the runs
 * before allocated), then `count` terminals open on each; growth is read 3 s
 * later and again once idle, as the idle rows are. Returns the terminals and
 * the MiB each cost, per server.
 */
async function perTerminal<T>(pids: number[], count: number, opens: (() => Promise<T>)[]) {
  await sleep(SETTLE_AFTER_MS);
  const before = pids.map(rssMiB);
  const opened: T[][] = [];
  for (const open of opens) opened.push(await Promise.all(Array.from({ length: count }, open)));
  const openedAt = Date.now();
  const each = () => pids.map((pid, i) => (rssMiB(pid) - before[i]!) / count);
  await sleep(JUST_AFTER_MS);
  const justAfter = each();
  await sleep(Math.max(0, openedAt + SETTLE_AFTER_MS - Date.now()));
  return { opened: opened.flat(), justAfter, idle: each() };
}

ensureWetty(WETTY_DIR, (line) => console.log(line));
const owner = newOwner('bench');
const server = await spawnServer({
  DRYDOCK_OWNER: owner,
  DRYDOCK_SHUTDOWN: 'remove',
  DRYDOCK_TERMINALS_PER_SESSION: String(EXTRA_TERMINALS + 1),
});
const pid = server.child.pid!;
let wetty: Awaited<ReturnType<typeof startWetty>> | undefined;
const rows: [string, ...string[]][] = [];
const goals: Goal[] = [];
try {
  const session = (await api(server.url, '', 'POST', '/sessions', { lab: LAB })).body as Created;
  for (
    let i = 0;
    (
      (await api(server.url, session.token, 'GET', `/sessions/${session.id}`)).body as {
        state: string;
      }
    ).state !== 'ready';
    i++
  ) {
    if (i > 600) throw new Error('the session did not get ready in 2 minutes');
    await sleep(200);
  }
  await sleep(JUST_AFTER_MS);
  const justAfter = rssMiB(pid);

  const [container] = await new Docker().listContainers({ filters: ownerFilter(owner) });
  const user = PROFILES.rootless.user;
  const exec = `docker exec -it -u ${user} -e TERM=xterm-256color -e HOME=/root -e LANG=C.UTF-8 ${container!.Id} /usr/lib/drydock/enter shell /bin/bash --login`;
  const floor = new PtyTerminal(`stty cols ${SIZE.cols} rows ${SIZE.rows}; exec ${exec}`);
  await until(floor, (tail) => PROMPT.test(tail), 'the floor’s prompt', 60_000);
  wetty = await startWetty(WETTY_DIR, exec);
  const wettyStarted = Date.now();
  await sleep(JUST_AFTER_MS);
  const wettyJustAfter = rssMiB(wetty.child.pid!);
  // Drydock's session got ready before WeTTY started: both have sat idle 20 s by then.
  await sleep(Math.max(0, wettyStarted + SETTLE_AFTER_MS - Date.now()));
  const idle = rssMiB(pid);
  const wettyIdle = rssMiB(wetty.child.pid!);
  const wettyTerminal = await openWetty(wetty);
  const drydock = await openDrydock(server.url, session);
  const sides: [string, Side][] = [
    ['floor', floor],
    ['wetty', wettyTerminal],
    ['drydock', drydock],
  ];
  const each = async <T>(measure: (side: Side) => Promise<T>) => {
    const out: T[] = [];
    for (const [name, side] of sides) {
      out.push(await measure(side));
      const result: unknown = out.at(-1);
      console.log(`  ${name}: ${typeof result === 'number' ? result : JSON.stringify(result)}`);
      const prompt = until(side, (tail) => PROMPT.test(tail), 'a prompt', 60_000);
      side.type('\r');
      await prompt;
      await sleep(300);
    }
    return out;
  };
  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '∞');

  console.log('echo');
  const echoes = await each(echo);
  rows.push(['echo p50 (ms)', ...echoes.map((e) => ms(e.p50))]);
  rows.push(['echo p99 (ms)', ...echoes.map((e) => ms(e.p99))]);
  console.log('Ctrl-C under yes');
  const stops = await each(ctrlC);
  rows.push([`Ctrl-C under \`yes\` → prompt (ms, median of ${CTRL_C_RUNS})`, ...stops.map(ms)]);
  console.log('seq 1 10000');
  rows.push(['lines of `seq 1 10000` delivered', ...(await each(seqLines)).map(String)]);
  console.log('50 MB');
  rows.push(['time to print 50 MB (s)', ...(await each(big)).map((s) => s.toFixed(1))]);

  const idleRowsAt = rows.length;
  const more = await perTerminal<{ close(): void }>([wetty.child.pid!, pid], EXTRA_TERMINALS, [
    () => openWetty(wetty!),
    () => openDrydock(server.url, session),
  ]);
  const [, drydockMore] = more.idle as [number, number];
  rows.push(
    [
      `server RSS per open terminal, ${JUST_AFTER_MS / 1000} s after ${EXTRA_TERMINALS} opened (MiB)`,
      '–',
      ...more.justAfter.map((mib) => mib.toFixed(1)),
    ],
    [
      `server RSS per open terminal, idle ${SETTLE_AFTER_MS / 1000} s after (MiB)`,
      '–',
      ...more.idle.map((mib) => mib.toFixed(1)),
    ],
  );
  // What each server keeps of the runs above once its terminals are gone: memory
  // its malloc did not hand back shows here, not in the idle row.
  for (const t of [...more.opened, wettyTerminal, drydock]) t.close();
  await sleep(SETTLE_AFTER_MS);
  rows.push([
    `server RSS ${SETTLE_AFTER_MS / 1000} s after its terminals closed (MiB)`,
    '–',
    rssMiB(wetty.child.pid!).toFixed(0),
    rssMiB(pid).toFixed(0),
  ]);
  // Last: nothing of it (its build, esbuild’s service process, the server) is about while
  // latency and the per-terminal rows are measured.
  const [floorJustAfter, floorIdle] = await stackFloorIdleRss(container!.Id, [
    JUST_AFTER_MS,
    SETTLE_AFTER_MS,
  ]);
  rows.splice(
    idleRowsAt,
    0,
    [
      `server RSS ${JUST_AFTER_MS / 1000} s after a session got ready (MiB; WeTTY: after it started)`,
      floorJustAfter!.toFixed(0),
      wettyJustAfter.toFixed(0),
      justAfter.toFixed(0),
    ],
    [
      `server RSS idle, ${SETTLE_AFTER_MS / 1000} s after (MiB; its floor: the same stack without Drydock’s code)`,
      floorIdle!.toFixed(0),
      wettyIdle.toFixed(0),
      idle.toFixed(0),
    ],
  );
  const [f, w, d] = echoes as [EchoStats, EchoStats, EchoStats];
  goals.push(
    ['echo p50 ≤ 3× the floor', d.p50 <= 3 * f.p50],
    ['echo p99 ≤ 2× the floor', d.p99 <= 2 * f.p99],
    ['echo p50 and p99 ahead of WeTTY', d.p50 < w.p50 && d.p99 < w.p99],
    ['Ctrl-C ≤ 3× the floor', stops[2]! <= 3 * stops[0]!],
    ['server RSS idle ≤ 80 MB', idle * 1.048576 <= 80],
    ['≤ 2 MB more per open terminal', drydockMore * 1.048576 <= 2],
  );
  floor.close();
} finally {
  await wetty?.stop();
  await server.stop();
  const left = await leftovers(owner);
  if (left.length) console.error(`left behind: ${left.join(', ')}`);
}

console.log(
  `\n| | raw \`docker exec -it\` (floor) | WeTTY ${WETTY_VERSION} | Drydock terminal |\n| --- | ---: | ---: | ---: |`,
);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
printGoals('#10', goals);

/**
 * Benchmark: how long a learner waits after a fault. On demand only:
 *   npm run bench:faults -- [lab-slug] [runs]
 * - reconnect: a new terminal WebSocket to a running session, from socket open
 *   to its screen redrawn (what a dropped connection or a reload costs);
 * - restart: a stopped server's successor (same owner) from its start to the
 *   adopted session's screen redrawn in a new WebSocket.
 */
import { stripVTControlCharacters } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../lab-server/app.ts';
import { loadConfig } from '../lab-server/config.ts';

const lab = process.argv[2] ?? 'named-volume-masks-image';
const runs = Number(process.argv[3] ?? 5);
const owner = `bench-${process.pid}`;

async function server(shutdown: 'keep' | 'remove') {
  const app = await buildApp(
    loadConfig({
      ...process.env,
      DRYDOCK_OWNER: owner,
      DRYDOCK_LOG_LEVEL: 'warn',
      DRYDOCK_SHUTDOWN: shutdown,
    }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const status = await app.backend.whenSettled();
  if (!status.available) throw new Error(`labs unavailable: ${status.reason}`);
  return { app, url };
}

/** Opens a terminal and resolves with it and the ms from socket open until its text matches. */
function attach(
  url: string,
  session: { id: string; token: string },
  screen: RegExp,
): Promise<{ ws: WebSocket; ms: number }> {
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/sessions/${session.id}/terminal?token=${session.token}`,
  );
  let opened = 0;
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no screen matching ${screen} within 120 s`)),
      120_000,
    );
    ws.on('open', () => (opened = performance.now()));
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) return;
      ws.send(JSON.stringify({ type: 'ack', bytes: data.length }));
      text += stripVTControlCharacters(data.toString('utf8'));
      if (screen.test(text)) {
        clearTimeout(timer);
        resolve({ ws, ms: performance.now() - opened });
      }
    });
    ws.on('close', (code, reason) =>
      reject(new Error(`terminal closed: ${code} ${reason.toString()}`)),
    );
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const first = await server('keep');
const res = await fetch(`${first.url}/api/sessions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ lab }),
});
const session = (await res.json()) as { id: string; token: string };
let { ws } = await attach(first.url, session, /[#$] $/m);
ws.send(Buffer.from('echo "bench-$((40+2))"\r'));
const mark = /bench-42/;

const reconnects: number[] = [];
for (let i = 0; i < runs; i++) {
  ws.removeAllListeners('close');
  ws.terminate();
  const again = await attach(first.url, session, mark);
  ws = again.ws;
  reconnects.push(again.ms);
  console.log(`reconnect ${i + 1}: socket open → screen restored ${seconds(again.ms)}`);
}
ws.removeAllListeners('close');
ws.close();

await first.app.close(); // DRYDOCK_SHUTDOWN=keep: the sandbox keeps running
const started = performance.now();
const second = await server('remove');
const adopted = await attach(second.url, session, mark);
const restartMs = performance.now() - started;
console.log(
  `restart: new server start → adopted session's screen restored ${seconds(restartMs)} (reconnect part ${seconds(adopted.ms)})`,
);
adopted.ws.removeAllListeners('close');
adopted.ws.close();
console.log(
  `lab ${lab}: reconnect median ${seconds(median(reconnects))} over ${runs} runs; restart recovery ${seconds(restartMs)}`,
);
await second.app.close(); // DRYDOCK_SHUTDOWN=remove: nothing is left

/**
 * Benchmark: time from pressing Start (POST /api/sessions) to a shell prompt in
 * the terminal, for a lab. Prints each run and the median. On demand only:
 *   npm run bench:start -- [lab-slug] [runs]
 * The first run after a server start is "cold" for the session path (no saved
 * image tar yet in a fresh state dir, first exec in a new engine).
 */
import { buildApp } from '../lab-server/app.ts';
import { loadConfig } from '../lab-server/config.ts';
import WebSocket from 'ws';

const lab = process.argv[2] ?? 'named-volume-masks-image';
const runs = Number(process.argv[3] ?? 5);
// One client starts many sandboxes in a row here: lift the per-client creation rate unless the caller set one.
const app = await buildApp(
  loadConfig({
    DRYDOCK_CREATE_RATE: '10000',
    ...process.env,
    DRYDOCK_OWNER: `bench-${process.pid}`,
    DRYDOCK_LOG_LEVEL: 'warn',
    DRYDOCK_SHUTDOWN: 'remove',
  }),
);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const status = await app.platform.whenSettled();
if (!status.available) throw new Error(`labs unavailable: ${status.reason}`);

async function once(): Promise<{ readyMs: number; promptMs: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lab }),
  });
  const session = (await res.json()) as { id: string; token: string };
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/sessions/${session.id}/terminal?token=${session.token}`,
  );
  let readyMs = 0;
  const promptMs = await new Promise<number>((resolve, reject) => {
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) {
        const message = JSON.parse(data.toString()) as { type: string; message?: string };
        if (message.type === 'ready') readyMs = performance.now() - started;
        if (message.type === 'ended') reject(new Error(message.message));
      } else if (/[#$] $/.test(data.toString())) resolve(performance.now() - started);
    });
  });
  ws.close();
  await fetch(`${url}/api/sessions/${session.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${session.token}` },
  });
  return { readyMs, promptMs };
}

const prompts: number[] = [];
for (let i = 0; i < runs; i++) {
  const { readyMs, promptMs } = await once();
  prompts.push(promptMs);
  console.log(
    `run ${i + 1}${i === 0 ? ' (cold)' : ''}: ready ${(readyMs / 1000).toFixed(2)} s, prompt ${(promptMs / 1000).toFixed(2)} s`,
  );
}
const sorted = [...prompts].sort((a, b) => a - b);
console.log(
  `lab ${lab}: Start to prompt median ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2)} s over ${runs} runs`,
);
await app.close();

/**
 * The terminal bench's floor for server memory: the smallest server built on
 * Drydock's own stack (Fastify, @fastify/websocket, dockerode, node:sqlite,
 * pino), with none of Drydock's code. It records a session in SQLite for a
 * container it is given, answers it as JSON, and serves that container's shell
 * over a WebSocket. The bench bundles it as the lab server is bundled and runs
 * it with the same Node flags, so that the difference in RSS between the two
 * is what Drydock's own code and its other packages hold.
 *
 * Not part of the platform: `npm run bench:terminal` builds and starts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import websocket from '@fastify/websocket';
import Docker from 'dockerode';
import Fastify from 'fastify';

const dir = mkdtempSync(join(tmpdir(), 'drydock-stack-floor-'));
const db = new DatabaseSync(join(dir, 'floor.sqlite'));
db.exec('CREATE TABLE sessions (id TEXT PRIMARY KEY, container TEXT NOT NULL, state TEXT)');
const docker = new Docker();
const app = Fastify({ logger: { level: 'info' } });
await app.register(websocket);

app.post<{ Body: { container: string } }>('/sessions', async (request) => {
  const { Id, State } = await docker.getContainer(request.body.container).inspect();
  const id = crypto.randomUUID();
  db.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(id, Id, State.Status);
  return { id };
});

const session = (id: string) =>
  db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
    { id: string; container: string; state: string } | undefined;

app.get<{ Params: { id: string } }>('/sessions/:id', async (request, reply) => {
  const row = session(request.params.id);
  return row ?? reply.code(404).send({ error: 'no such session' });
});

app.get<{ Params: { id: string } }>(
  '/sessions/:id/terminal',
  { websocket: true },
  async (socket, request) => {
    const row = session(request.params.id);
    if (!row) return socket.close(4404, 'no such session');
    const exec = await docker.getContainer(row.container).exec({
      Cmd: ['/bin/sh'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    stream.on('data', (chunk: Buffer) => socket.send(chunk));
    stream.on('end', () => socket.close());
    socket.on('message', (data: Buffer) => stream.write(data));
    socket.on('close', () => stream.end());
  },
);

const stop = async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await app.listen({ host: '127.0.0.1', port: 0 });

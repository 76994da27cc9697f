/**
 * WeTTY (https://github.com/butlerx/wetty), the terminal bench's point of
 * comparison: a widely used web terminal (Express + socket.io + node-pty). It
 * is not a dependency of Drydock: the bench installs it on demand into a
 * scratch folder under the state directory and reuses it from then on. It runs
 * with `--command` set to the same `docker exec -it` as the floor, and is
 * driven with its own client protocol, as its page drives it (socket.io:
 * `input`, `resize` and `commit` out; `data`, `login`, `logout` in).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export const WETTY_VERSION = '3.2.0';
const CLIENT_VERSION = '4.8.3';
/** WeTTY's page commits output in steps of this many characters (its FlowControlClient). */
const COMMIT_CHARS = 262_144;

const installed = (dir: string) => {
  const version = (name: string) => {
    const file = join(dir, 'node_modules', name, 'package.json');
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
      : '';
  };
  return (
    version('wetty') === WETTY_VERSION &&
    version('socket.io-client') === CLIENT_VERSION &&
    existsSync(join(dir, 'node_modules/node-pty/build/Release/pty.node'))
  );
};

/** Installs WeTTY (node-pty is compiled with the machine's C++ compiler) unless `dir` has it. */
export function ensureWetty(dir: string, say: (line: string) => void): void {
  if (installed(dir)) return say(`wetty ${WETTY_VERSION}: reusing ${dir}`);
  say(`wetty ${WETTY_VERSION}: installing into ${dir} (not a Drydock dependency; once)`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json')))
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  // npm builds node-pty for the Node that runs it: this one.
  const result = spawnSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `wetty@${WETTY_VERSION}`,
      `socket.io-client@${CLIENT_VERSION}`,
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    },
  );
  if (result.status !== 0 || !installed(dir))
    throw new Error(
      `npm could not install wetty@${WETTY_VERSION} into ${dir} (exit ${result.status ?? result.error?.message}); node-pty needs g++, make and python3`,
    );
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface WettyServer {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts WeTTY on a free loopback port, running `command` (split by `env -S`) for each terminal. */
export async function startWetty(dir: string, command: string): Promise<WettyServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(dir, 'node_modules/wetty/build/main.js'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--base',
      '/wetty',
      '--command',
      command,
      '--log-level',
      'warn',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-3000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${url}/wetty`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`wetty did not start; its log:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The little of socket.io-client's Socket the bench uses (it is not a dependency, so it has no types here). */
interface IoSocket {
  on(event: string, listener: (...args: never[]) => void): IoSocket;
  off(event: string, listener: (...args: never[]) => void): IoSocket;
  emit(event: string, ...args: unknown[]): IoSocket;
  close(): void;
}

/** One WeTTY terminal, as its page uses it: resize on connect, input as typed, a commit every 256 K characters. */
export class WettyTerminal {
  output = '';
  received = 0;
  private readonly socket: IoSocket;
  private uncommitted = 0;

  constructor(dir: string, server: WettyServer, size: { cols: number; rows: number }) {
    const { io } = createRequire(join(dir, 'package.json'))('socket.io-client') as {
      io: (url: string, options: object) => IoSocket;
    };
    this.socket = io(server.url, { path: '/wetty/socket.io', transports: ['websocket'] });
    this.socket.on('connect', () => this.socket.emit('resize', size));
    this.socket.on('data', (text: string) => {
      this.output += text;
      this.received += text.length;
      this.uncommitted += text.length;
      if (this.uncommitted >= COMMIT_CHARS) {
        this.uncommitted -= COMMIT_CHARS;
        this.socket.emit('commit', COMMIT_CHARS);
      }
    });
  }

  onOutput(listener: (chunk: string) => void): () => void {
    // Registered after the constructor's: `output` already has the chunk.
    this.socket.on('data', listener);
    return () => this.socket.off('data', listener);
  }

  type(text: string): void {
    this.socket.emit('input', text);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * The dev loop (`npm run dev`, `drydock dev [pack...]`; docs/dev-loop.md): `astro
 * dev` and the lab server together, one command. The site's dev server passes
 * /api and the terminal's WebSocket on to the lab server (site/lib/dev-proxy.ts),
 * so a lab page works on the dev site's own origin; the lab server runs from its
 * sources with DRYDOCK_DEV=1 (labs reloaded on edits, no warm pools) and removes
 * its sandboxes when it stops.
 *
 * Each child runs in a process group of its own, so that Ctrl-C reaches this
 * script only and each child is told to stop exactly once: a second SIGINT
 * would end the lab server before it removed its sandboxes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_LAB_SERVER_VARIABLE } from '../site/lib/dev-proxy.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** How long both children get to stop (the lab server removes sandboxes) before they are killed. */
const STOP_GRACE_MS = 45_000;

const USAGE = `Usage: drydock dev [--port N] [pack-folder...]

Runs the site (astro dev, hot reload) and the lab server together. Pack folders
set DRYDOCK_CONTENT for both. --port is the site's (default 4321); the lab
server listens on DRYDOCK_PORT (default 4400). Ctrl-C stops both.`;

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', default: '4321' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const sitePort = Number(values.port);
const labPort = Number(process.env.DRYDOCK_PORT ?? '4400');
for (const [name, port] of [
  ['--port', sitePort],
  ['DRYDOCK_PORT', labPort],
] as const) {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name}: "${port}" is not a port; use a number from 1 to 65535\n\n${USAGE}`);
    process.exit(2);
  }
}
const host = process.env.DRYDOCK_HOST ?? '127.0.0.1';
const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

const color = process.stdout.isTTY
  ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`
  : (_: number, text: string) => text;
const say = (text: string) => console.log(`${color(36, '[dev]')}  ${text}`);

const shared: NodeJS.ProcessEnv = {
  ...process.env,
  // Pack folders as typed, relative to where the command was run (the launcher runs us there).
  ...(positionals.length
    ? { DRYDOCK_CONTENT: positionals.map((folder) => resolve(folder)).join(',') }
    : {}),
  ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
};
// The dev site is reached on its own address; a public URL would refuse its pages' requests.
delete shared.DRYDOCK_PUBLIC_URL;

const children: { name: string; child: ChildProcess; exited: Promise<number> }[] = [];

function start(name: string, tag: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) prefixLines(stream, tag);
  const exited = new Promise<number>((done) =>
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1))),
  );
  children.push({ name, child, exited });
  return exited;
}

/** Writes each line of `stream` with `tag` in front; a partial line waits for its end. */
function prefixLines(stream: NodeJS.ReadableStream, tag: string): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) process.stdout.write(`${tag} ${line}\n`);
  });
  stream.on('end', () => rest && process.stdout.write(`${tag} ${rest}\n`));
}

const labUrl = `http://${reachableHost}:${labPort}`;
const labExit = start('the lab server', color(35, '[labs]'), [join(ROOT, 'lab-server/server.ts')], {
  ...shared,
  DRYDOCK_ROOT: ROOT,
  DRYDOCK_DEV: '1',
  DRYDOCK_SHUTDOWN: 'remove',
  // Apart from a server `npm start` runs on this engine and its store, and leaving
  // its images alone (another checkout's may differ from this one's).
  DRYDOCK_OWNER: process.env.DRYDOCK_OWNER ?? 'dev',
  DRYDOCK_OLD_IMAGES: process.env.DRYDOCK_OLD_IMAGES ?? 'keep',
  DRYDOCK_DATABASE_URL:
    process.env.DRYDOCK_DATABASE_URL ?? `sqlite:${join(ROOT, '.drydock', 'dev', 'store.sqlite')}`,
});
const siteExit = start(
  'the site',
  color(32, '[site]'),
  [
    join(ROOT, 'node_modules/astro/bin/astro.mjs'),
    'dev',
    '--host',
    host,
    '--port',
    String(sitePort),
    // This script is what starts and stops it, and two dev loops (another port) may run at once.
    '--ignore-lock',
  ],
  { ...shared, [DEV_LAB_SERVER_VARIABLE]: labUrl },
);
say(
  `site (astro dev, pid ${children[1]!.child.pid}) on http://${reachableHost}:${sitePort}/, ` +
    `lab server (pid ${children[0]!.child.pid}) on ${labUrl}${shared.DRYDOCK_CONTENT ? `, content packs ${shared.DRYDOCK_CONTENT}` : ''}; Ctrl-C stops both`,
);

let stopping = false;

/** Asks each child still running to stop (the lab server with SIGINT, as Ctrl-C would), once. */
async function stopAll(reason: string, code: number): Promise<never> {
  if (stopping) {
    say('stopping already; killing both now (sandboxes left behind are removed at the next start)');
    for (const { child } of children) signalGroup(child, 'SIGKILL');
    process.exit(1);
  }
  stopping = true;
  say(`${reason}: stopping the site and the lab server (it removes its sandboxes)`);
  for (const { name, child } of children) {
    if (child.exitCode === null && child.signalCode === null)
      signalGroup(child, name === 'the lab server' ? 'SIGINT' : 'SIGTERM');
  }
  const grace = setTimeout(() => {
    say(`still running after ${STOP_GRACE_MS / 1000} s: killing what is left`);
    for (const { child } of children) signalGroup(child, 'SIGKILL');
  }, STOP_GRACE_MS);
  const codes = await Promise.all(children.map(({ exited }) => exited));
  clearTimeout(grace);
  // The lab server's own exit code says whether it closed cleanly; astro dev's SIGTERM is expected.
  process.exit(code || codes[0]!);
}

/** Signals a child's whole process group (astro dev's esbuild service too). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is gone already.
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void stopAll(signal, 0));
void labExit.then((code) => stopping || stopAll(`the lab server exited (${code})`, 1));
void siteExit.then((code) => stopping || stopAll(`astro dev exited (${code})`, 1));

/**
 * Starts the stack's floor server (scripts/stack-floor-server.ts), bundled and
 * run as the lab server is (spawnBundle), with a session for a given container,
 * and reads its RSS at the times the bench reads Drydock's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from './build-server.ts';
import { ROOT } from '../test/support/platform.ts';
import { spawnBundle } from '../test/support/server-process.ts';

const BUNDLE = join(ROOT, '.drydock', 'build', 'stack-floor', 'server.mjs');

/** A process's resident set, in MiB. */
export const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/**
 * The floor server's RSS (MiB) after it recorded and answered a session for
 * `container`, read at each of `afterMs` (ascending, from the answer).
 */
export async function stackFloorIdleRss(
  container: string,
  afterMs: readonly number[],
): Promise<number[]> {
  await build({
    ...bundleOptions(),
    entryPoints: ['scripts/stack-floor-server.ts'],
    outfile: BUNDLE,
    sourcemap: false,
  });
  const server = await spawnBundle(BUNDLE, {}, /Server listening at/, 60_000);
  try {
    const created = await fetch(`${server.url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ container }),
    });
    if (!created.ok) throw new Error(`the floor server: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${server.url}/sessions/${id}`);
    if (!read.ok) throw new Error(`the floor server: ${read.status} ${await read.text()}`);
    const answered = Date.now();
    const readings: number[] = [];
    for (const ms of afterMs) {
      await new Promise((r) => setTimeout(r, Math.max(0, answered + ms - Date.now())));
      readings.push(rssMiB(server.child.pid!));
    }
    return readings;
  } finally {
    await server.stop();
  }
}

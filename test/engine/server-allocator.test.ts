/**
 * The lab server runs on jemalloc when started as `scripts/drydock start`
 * starts it (`npm test` installs the library as the launcher's `start` does),
 * and says in its log which malloc it got; without jemalloc it still starts,
 * on the C library's malloc, and its log says what to install.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertNothingLeft, newOwner } from '../support/platform.ts';
import { type ServerProcess, spawnServer } from '../support/server-process.ts';

/** The message of the server's log line that names its allocator, once it has logged it. */
async function allocatorLine(server: ServerProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = server
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '')
      .find((msg) => msg.startsWith('memory allocator: '));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no allocator line in the log:\n${server.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mapped = (server: ServerProcess) =>
  readFileSync(`/proc/${server.child.pid}/maps`, 'utf8').includes('/libjemalloc.so');

describe('the server’s memory allocator', () => {
  it('is jemalloc when started as the launcher starts it, and the log says so', async () => {
    const owner = newOwner('allocator');
    const server = await spawnServer({ DRYDOCK_OWNER: owner, DRYDOCK_SHUTDOWN: 'remove' });
    try {
      assert.equal(await allocatorLine(server), 'memory allocator: jemalloc');
      assert.ok(
        mapped(server),
        'libjemalloc.so.2 is mapped into the server (apt-get install libjemalloc2 if not)',
      );
    } finally {
      await server.stop();
    }
    await assertNothingLeft(owner);
  });

  it('falls back to the C library’s malloc when jemalloc is missing, and the log says what to install', async () => {
    const owner = newOwner('allocator');
    // A machine without libjemalloc2, as the loader sees it: a preload it cannot
    // find is skipped with a warning. Uninstalling the package under the other
    // tests is not an option, so a name that no library has stands in.
    const server = await spawnServer({
      DRYDOCK_OWNER: owner,
      DRYDOCK_SHUTDOWN: 'remove',
      LD_PRELOAD: 'libjemalloc-not-installed.so.2',
    });
    try {
      const line = await allocatorLine(server);
      assert.match(line, /^memory allocator: the C library’s malloc; /);
      assert.match(line, /apt-get install libjemalloc2/);
      assert.equal(mapped(server), false);
    } finally {
      await server.stop();
    }
    await assertNothingLeft(owner);
  });
});

/**
 * A session store of a test's own: PostgreSQL when the lane sets
 * DRYDOCK_TEST_STORE_URL (run-tests.ts), else an SQLite file in a temporary
 * folder. `close()` closes it and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseTarget } from '../../lab-server/store/dialect.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';

export async function openTestStore(): Promise<{
  store: SessionStore;
  close: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-store-'));
  const url = process.env.DRYDOCK_TEST_STORE_URL ?? `sqlite:${join(dir, 'store.sqlite')}`;
  const store = await SessionStore.open(databaseTarget(url, dir));
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

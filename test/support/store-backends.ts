/**
 * A fresh, empty database of each kind for the store's own tests: an SQLite file
 * and Debian's PostgreSQL, which `npm test` (and `scripts/drydock test-store`)
 * install and start and name in DRYDOCK_TEST_DATABASE_URL. Each PostgreSQL run
 * works in a database of its own, made here and dropped afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseTarget, databaseTarget } from '../../lab-server/store/dialect.ts';

const ADMIN_URL = process.env.DRYDOCK_TEST_DATABASE_URL;

/** A fresh, empty database of each kind; removed when the suite ends. */
export interface Backend {
  name: string;
  fresh(): Promise<DatabaseTarget>;
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-store-'));
  let n = 0;
  return {
    name: 'SQLite',
    fresh: async () => databaseTarget(`sqlite:${join(dir, `store-${n++}.sqlite`)}`, dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresBackend(): Backend {
  const made: string[] = [];
  const admin = () => new pg.Client({ connectionString: ADMIN_URL });
  return {
    name: 'PostgreSQL',
    async fresh() {
      assert.ok(
        ADMIN_URL,
        'DRYDOCK_TEST_DATABASE_URL is not set: run these tests with `npm test` or `npm run test:store`, which start PostgreSQL',
      );
      const name = `drydock_test_${randomBytes(4).toString('hex')}`;
      const client = admin();
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      made.push(name);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      return databaseTarget(url.toString(), '/nonexistent');
    },
    async cleanup() {
      if (made.length === 0) return;
      const client = admin();
      await client.connect();
      for (const name of made) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

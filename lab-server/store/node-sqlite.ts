/**
 * Node's built-in SQLite (`node:sqlite`) behind the interface Kysely's
 * SqliteDialect expects (that of better-sqlite3). The built-in needs no native
 * add-on: nothing to compile and no prebuilt binary to download at install, which
 * a server without a toolchain or without access to GitHub could not do.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Kysely hands over JavaScript values; node:sqlite binds only these. */
function bindable(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}

export function openNodeSqlite(path: string): SqliteDatabase {
  const db = new DatabaseSync(path);
  // WAL lets readers go on while one write commits; the busy timeout rides out
  // a write of another process (`drydock` CLI) instead of failing at once.
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      const args = (parameters: ReadonlyArray<unknown>) => parameters.map(bindable);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...args(parameters)),
        run: (parameters) => statement.run(...args(parameters)),
        iterate: (parameters) => statement.iterate(...args(parameters)),
      };
    },
  };
}

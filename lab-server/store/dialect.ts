/**
 * Which database the store uses, from DRYDOCK_DATABASE_URL: unset means an
 * SQLite file in the state dir (nothing to install), `postgres://…` a PostgreSQL
 * server, `sqlite:<path>` another SQLite file.
 */
import { join, resolve } from 'node:path';

export type Dialect = 'sqlite' | 'postgres';

export type DatabaseTarget =
  { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export const SQLITE_FILE = 'drydock.sqlite';

export class DatabaseUrlError extends Error {}

export function databaseTarget(url: string | undefined, stateDir: string): DatabaseTarget {
  if (!url) return { dialect: 'sqlite', path: join(stateDir, SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path)
      throw new DatabaseUrlError(
        'DRYDOCK_DATABASE_URL: sqlite: needs a file path, e.g. sqlite:/var/lib/drydock/drydock.sqlite',
      );
    return { dialect: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  throw new DatabaseUrlError(
    `DRYDOCK_DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got "${url.replace(/\/\/[^@/]*@/, '//…@')}")`,
  );
}

/** The target for logs and `drydock doctor`: never the password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `SQLite ${target.path}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}

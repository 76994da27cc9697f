/**
 * The operator's secret for the admin API. DRYDOCK_ADMIN_TOKEN when it is set;
 * otherwise a random one that the first start writes to `<stateDir>/admin-token`
 * (mode 0600), so that `drydock sessions` on the same host works out of the box
 * and nobody else on it can read the key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_FILE = 'admin-token';

export function tokenFile(stateDir: string): string {
  return join(stateDir, TOKEN_FILE);
}

/** The token the server accepts, creating the file on first use when none is configured. */
export function serverAdminToken(configured: string | undefined, stateDir: string): string {
  if (configured) return configured;
  const file = tokenFile(stateDir);
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    try {
      // 'wx': two servers starting together must not overwrite each other's token.
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A file copied in by hand may have a looser mode; the token is as secret as a root password here.
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The token a client on this host uses: the configured one, or the server's file (undefined if neither). */
export function clientAdminToken(
  configured: string | undefined,
  stateDir: string,
): string | undefined {
  if (configured) return configured;
  const file = tokenFile(stateDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Compares in constant time: hashing first makes both sides the same length. */
export function sameToken(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

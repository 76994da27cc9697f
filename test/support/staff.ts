/** Staff accounts for tests that act as an instructor or an admin over HTTP. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Role } from '../../protocol/accounts.ts';
import type { TestPlatform } from './platform.ts';

const PASSWORD = 'staff-test-password-1';

/**
 * Makes an account with this role and display name and signs it in as a browser
 * of the server's own site would; resolves with the cookie (`name=value`) to send.
 */
export async function signedInStaff(
  platform: Pick<TestPlatform, 'app' | 'url'>,
  role: Role,
  displayName: string,
): Promise<string> {
  return (await signedInStaffUser(platform, role, displayName)).cookie;
}

/** As signedInStaff, also saying the account's username (to grant it a class, say). */
export async function signedInStaffUser(
  platform: Pick<TestPlatform, 'app' | 'url'>,
  role: Role,
  displayName: string,
): Promise<{ username: string; cookie: string }> {
  const username = `staff-${randomBytes(5).toString('hex')}`;
  await platform.app.accounts.users.add({ username, role, displayName, password: PASSWORD });
  const res = await fetch(`${platform.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform.url },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return { username, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
}

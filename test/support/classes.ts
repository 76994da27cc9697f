/** Classes for tests that act as an instructor and their learners over HTTP. */
import assert from 'node:assert/strict';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import type { TestPlatform } from './platform.ts';

/** Creates a class of these labs, open now for an hour, as the signed-in instructor of `cookie`. */
export async function openClass(
  platform: Pick<TestPlatform, 'url'>,
  cookie: string,
  labs: string[],
  name = 'A test class',
  expectedSize = 2,
): Promise<{ id: string; joinCode: string }> {
  const res = await fetch(`${platform.url}/api/classes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform.url, cookie },
    body: JSON.stringify({
      name,
      labs,
      opensAt: new Date().toISOString(),
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      expectedSize,
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: string; joinCode: string };
}

/** Joins the class of `code` as the browser identity `learner` (no `learner:` prefix) with this name. */
export async function joinClass(
  platform: Pick<TestPlatform, 'url'>,
  code: string,
  learner: string,
  displayName: string,
): Promise<void> {
  const res = await fetch(`${platform.url}/api/join`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: platform.url,
      [LEARNER_HEADER]: learner,
    },
    body: JSON.stringify({ code, displayName }),
  });
  assert.equal(res.status, 200, await res.clone().text());
}

/**
 * The learner's identity in this browser: a random id kept in localStorage and
 * sent with every API request (header X-Drydock-Learner), so that the server's
 * per-learner limits count this person, not everyone behind the same school or
 * office address (lab-server/admission/client-id.ts).
 */
import { LEARNER_ID } from '../../protocol/learner-id.ts';

/** Where it is kept; a browser without it has never used the lab server. */
export const LEARNER_KEY = 'drydock.learner';

function fresh(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // base64url without padding: 22 characters of [A-Za-z0-9_-].
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

let cached: string | undefined;

/** This browser's learner id, made on first use; a private window without storage gets one per page. */
export function learnerId(): string {
  if (cached) return cached;
  try {
    const kept = localStorage.getItem(LEARNER_KEY);
    if (kept && LEARNER_ID.test(kept)) return (cached = kept);
    cached = fresh();
    localStorage.setItem(LEARNER_KEY, cached);
  } catch {
    cached ??= fresh();
  }
  return cached;
}

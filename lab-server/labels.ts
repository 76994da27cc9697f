/**
 * Labels on everything the platform creates in the engine; the reaper finds
 * leftovers by them, and a restarted server adopts a live sandbox from them
 * (session id, lab, times, the SHA-256 of the token: never the token itself).
 */
export const LABEL = {
  platform: 'io.drydock.platform',
  owner: 'io.drydock.owner',
  session: 'io.drydock.session',
  lab: 'io.drydock.lab',
  createdAt: 'io.drydock.created-at',
  expiresAt: 'io.drydock.expires-at',
  tokenHash: 'io.drydock.token-sha256',
  seed: 'io.drydock.seed',
  inputHash: 'io.drydock.input-hash',
} as const;

export const PLATFORM = 'drydock';

/** Docker list filter for the resources of one server (owner). */
export function ownerFilter(owner: string): { label: string[] } {
  return { label: [`${LABEL.platform}=${PLATFORM}`, `${LABEL.owner}=${owner}`] };
}

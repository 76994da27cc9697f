/** Labels on everything the platform creates in the engine; the reaper finds leftovers by them. */
export const LABEL = {
  platform: 'io.drydock.platform',
  owner: 'io.drydock.owner',
  session: 'io.drydock.session',
  lab: 'io.drydock.lab',
  expiresAt: 'io.drydock.expires-at',
  inputHash: 'io.drydock.input-hash',
} as const;

export const PLATFORM = 'drydock';

/** Docker list filter for the resources of one server (owner). */
export function ownerFilter(owner: string): { label: string[] } {
  return { label: [`${LABEL.platform}=${PLATFORM}`, `${LABEL.owner}=${owner}`] };
}

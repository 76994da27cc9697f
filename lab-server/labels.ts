/**
 * Labels on everything the platform creates in the engine: whose it is (the
 * reaper finds leftovers by them) and, on a sandbox, its own id, lab, creation
 * time and seed. Which session a sandbox serves is not a label: a sandbox is
 * bound when it is claimed, and the session store says by whom.
 */
export const LABEL = {
  platform: 'io.drydock.platform',
  owner: 'io.drydock.owner',
  sandbox: 'io.drydock.sandbox',
  lab: 'io.drydock.lab',
  createdAt: 'io.drydock.created-at',
  seed: 'io.drydock.seed',
  labVersion: 'io.drydock.lab-version',
  inputHash: 'io.drydock.input-hash',
} as const;

export const PLATFORM = 'drydock';

/** Docker list filter for the resources of one server (owner). */
export function ownerFilter(owner: string): { label: string[] } {
  return { label: [`${LABEL.platform}=${PLATFORM}`, `${LABEL.owner}=${owner}`] };
}

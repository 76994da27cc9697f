/**
 * From what an OpenID provider says about a person to their role here: the
 * groups claim (a name, or a path into nested claims such as Keycloak's
 * `realm_access.roles`) and DRYDOCK_OIDC_ROLES's mapping. A person in several
 * mapped groups gets the highest of their roles: the operator grants by group,
 * and a trainer who is also an admin should not lose admin to the order of a list.
 */
import type { Role } from '../../protocol/accounts.ts';

/** learner is the lowest: a group mapped to it lets its people sign in, for their groups' content only. */
const RANK: Record<Role, number> = { learner: 0, assistant: 1, instructor: 2, admin: 3 };

/**
 * The groups at `path` in `claims`: `undefined` when the claim is absent (ask
 * UserInfo), a list otherwise. Providers send a list of names, or one name as a
 * string; anything else counts as no group at all.
 */
export function groupsAt(
  claims: Readonly<Record<string, unknown>>,
  path: readonly string[],
): string[] | undefined {
  let value: unknown = claims;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step))
      return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** In DRYDOCK_OIDC_ROLES, everyone the provider signs in (only as a learner: config.ts). */
export const ANY_GROUP = '*';

/** The highest role any of `groups` is mapped to, else that of `*`; `undefined` when none is. */
export function roleOf(
  groups: readonly string[],
  roles: ReadonlyMap<string, Role>,
): Role | undefined {
  let best: Role | undefined = roles.get(ANY_GROUP);
  for (const group of groups) {
    const role = roles.get(group);
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

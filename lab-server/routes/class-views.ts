/**
 * How classes and memberships read on the wire (protocol/classes.ts): lab
 * titles from the catalog, the join link, the state at this moment, and the
 * owner's username, and what the viewer may do in it. Shared by the staff routes, the learner routes and the
 * operator's admin API, so the three cannot describe one class differently.
 */
import type { FastifyInstance } from 'fastify';
import type {
  ClassPreview,
  ClassState,
  ClassSummary,
  Member,
  Membership,
} from '../../protocol/classes.ts';
import type { VisibleClass } from '../classes/class-directory.ts';
import type { ClassRecord, MemberRecord } from '../store/class-store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function classState(record: ClassRecord, now = Date.now()): ClassState {
  if (record.endedAt !== null) return 'ended';
  if (now >= record.closesAt) return 'closed';
  return now >= record.opensAt ? 'open' : 'upcoming';
}

/**
 * `shown` leaves out the labs a learner may not see (kept for sign-in groups they
 * are not in, docs/content-visibility.md); staff see a class's labs as it has them.
 */
export function presentPreview(
  app: FastifyInstance,
  record: ClassRecord,
  shown: (slug: string) => boolean = () => true,
): ClassPreview {
  return {
    name: record.name,
    // A lab removed from the server since keeps its slug as its title.
    labs: record.labs.filter(shown).map((slug) => ({
      slug,
      title: app.labs.lab(slug)?.manifest.title ?? slug,
    })),
    opensAt: iso(record.opensAt),
    closesAt: iso(record.closesAt),
    state: classState(record),
  };
}

export function presentMember(member: MemberRecord): Member {
  return { id: member.id, displayName: member.displayName, joinedAt: iso(member.joinedAt) };
}

export function presentMembership(
  app: FastifyInstance,
  record: ClassRecord,
  member: MemberRecord,
  shown?: (slug: string) => boolean,
): Membership {
  return {
    ...presentMember(member),
    code: record.joinCode,
    class: presentPreview(app, record, shown),
  };
}

/**
 * Summaries of these classes, with their member counts, owners' usernames, what
 * the viewer may do in each and, for those not over yet, whether the machine can
 * hold them.
 */
export async function presentClasses(
  app: FastifyInstance,
  visible: VisibleClass[],
): Promise<ClassSummary[]> {
  const records = visible.map((v) => v.record);
  const [counts, users, capacities] = await Promise.all([
    app.classes.memberCounts(records),
    app.store.accounts.users(),
    app.classes.capacities(records),
  ]);
  const usernames = new Map(users.map((u) => [u.id, u.username]));
  return visible.map(({ record, access }) => {
    const owner = record.ownerId === null ? undefined : usernames.get(record.ownerId);
    return {
      ...presentPreview(app, record),
      id: record.id,
      expectedSize: record.expectedSize,
      joinCode: record.joinCode,
      joinPath: `/join/?code=${record.joinCode}`,
      ...(owner === undefined ? {} : { owner }),
      members: counts.get(record.id) ?? 0,
      createdAt: iso(record.createdAt),
      ...(record.endedAt === null ? {} : { endedAt: iso(record.endedAt) }),
      ...(capacities.has(record.id) ? { capacity: capacities.get(record.id)! } : {}),
      you: access,
    };
  });
}

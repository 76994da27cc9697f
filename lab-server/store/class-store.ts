/**
 * Classes and their members, in the same database as the sessions and the staff
 * accounts. The only SQL about classes; records in, records out. What a valid
 * class or display name is, and what a join code looks like, live in classes/.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../../protocol/accounts.ts';
import type { ClassesTable, ClassMembersTable, Database } from './tables.ts';

export interface ClassRecord {
  id: string;
  name: string;
  /** Lab slugs, in the order learners take them. */
  labs: string[];
  opensAt: number;
  closesAt: number;
  expectedSize: number;
  joinCode: string;
  /** The instructor's user id; null once that account was removed. */
  ownerId: string | null;
  createdAt: number;
  endedAt: number | null;
}

export interface MemberRecord {
  id: string;
  classId: string;
  displayName: string;
  /** `learner:<id>`, as sessions.learner has it. */
  learner: string;
  joinedAt: number;
}

/** A staff user granted to help in a class. */
export interface StaffGrant {
  classId: string;
  userId: string;
  /** May watch the class's learners' terminals. */
  mayWatch: boolean;
  /** Who granted it; null for the operator, or once that account was removed. */
  grantedBy: string | null;
  grantedAt: number;
}

/** A grant with the account it names, as a class's staff list shows it. */
export interface StaffMemberRecord extends StaffGrant {
  username: string;
  displayName: string;
  role: Role;
  disabledAt: number | null;
}

function toClass(row: Selectable<ClassesTable>): ClassRecord {
  return {
    id: row.id,
    name: row.name,
    labs: JSON.parse(row.labs) as string[],
    opensAt: Number(row.opens_at),
    closesAt: Number(row.closes_at),
    expectedSize: row.expected_size,
    joinCode: row.join_code,
    ownerId: row.owner_id,
    createdAt: Number(row.created_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
  };
}

function toMember(row: Selectable<ClassMembersTable>): MemberRecord {
  return {
    id: row.id,
    classId: row.class_id,
    displayName: row.display_name,
    learner: row.learner,
    joinedAt: Number(row.joined_at),
  };
}

const toGrant = (row: {
  class_id: string;
  user_id: string;
  may_watch: number;
  granted_by: string | null;
  granted_at: number;
}): StaffGrant => ({
  classId: row.class_id,
  userId: row.user_id,
  mayWatch: Number(row.may_watch) === 1,
  grantedBy: row.granted_by,
  grantedAt: Number(row.granted_at),
});

export class ClassStore {
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /** False when the join code is taken (the unique index decides, a concurrent add too). */
  async addClass(record: ClassRecord): Promise<boolean> {
    const inserted = await this.db
      .insertInto('classes')
      .values({
        id: record.id,
        name: record.name,
        labs: JSON.stringify(record.labs),
        opens_at: record.opensAt,
        closes_at: record.closesAt,
        expected_size: record.expectedSize,
        join_code: record.joinCode,
        owner_id: record.ownerId,
        created_at: record.createdAt,
        ended_at: record.endedAt,
      })
      .onConflict((oc) => oc.column('join_code').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async classById(id: string): Promise<ClassRecord | undefined> {
    const row = await this.db
      .selectFrom('classes')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toClass(row);
  }

  async classByCode(joinCode: string): Promise<ClassRecord | undefined> {
    const row = await this.db
      .selectFrom('classes')
      .selectAll()
      .where('join_code', '=', joinCode)
      .executeTakeFirst();
    return row && toClass(row);
  }

  /** Classes newest first; only one owner's when `ownerId` is given. */
  async classes(ownerId?: string): Promise<ClassRecord[]> {
    let query = this.db.selectFrom('classes').selectAll();
    if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toClass);
  }

  /** Classes not ended whose window has not closed at `now`. */
  async currentClasses(now: number): Promise<ClassRecord[]> {
    const rows = await this.db
      .selectFrom('classes')
      .selectAll()
      .where('ended_at', 'is', null)
      .where('closes_at', '>', now)
      .orderBy('opens_at')
      .execute();
    return rows.map(toClass);
  }

  /** Marks the class ended; false when it already was (two ends at once: one wins). */
  async endClass(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('classes')
      .set({ ended_at: at })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Adds the member, or, when this learner already joined the class, keeps their
   * membership (its id and when they joined) and takes the new display name.
   */
  async join(member: MemberRecord): Promise<MemberRecord> {
    await this.db
      .insertInto('class_members')
      .values({
        id: member.id,
        class_id: member.classId,
        display_name: member.displayName,
        learner: member.learner,
        joined_at: member.joinedAt,
      })
      .onConflict((oc) =>
        oc.columns(['class_id', 'learner']).doUpdateSet({ display_name: member.displayName }),
      )
      .execute();
    const row = await this.db
      .selectFrom('class_members')
      .selectAll()
      .where('class_id', '=', member.classId)
      .where('learner', '=', member.learner)
      .executeTakeFirstOrThrow();
    return toMember(row);
  }

  /** Removes one member of a class (their display name and identity); whether there was one. */
  async removeMember(classId: string, memberId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('class_members')
      .where('class_id', '=', classId)
      .where('id', '=', memberId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Removes the members of every class that ended or closed before `before`
   * (DRYDOCK_RETENTION_DAYS): the class itself stays, nobody's name with it.
   */
  async forgetMembersBefore(before: number): Promise<number> {
    const finished = this.db
      .selectFrom('classes')
      .select('id')
      .where((eb) => eb.or([eb('closes_at', '<', before), eb('ended_at', '<', before)]));
    const result = await this.db
      .deleteFrom('class_members')
      .where('class_id', 'in', finished)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** A class's members in the order they joined. */
  async members(classId: string): Promise<MemberRecord[]> {
    const rows = await this.db
      .selectFrom('class_members')
      .selectAll()
      .where('class_id', '=', classId)
      .orderBy('joined_at')
      .orderBy('id')
      .execute();
    return rows.map(toMember);
  }

  /** How many learners joined each of these classes. */
  async memberCounts(classIds: string[]): Promise<Map<string, number>> {
    if (classIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('class_members')
      .select((eb) => ['class_id', eb.fn.countAll<number | string>().as('n')])
      .where('class_id', 'in', classIds)
      .groupBy('class_id')
      .execute();
    return new Map(rows.map((row) => [row.class_id, Number(row.n)]));
  }

  /** Every class this learner joined, with their membership, newest class first. */
  async membershipsOf(learner: string): Promise<{ member: MemberRecord; class: ClassRecord }[]> {
    const rows = await this.db
      .selectFrom('class_members')
      .innerJoin('classes', 'classes.id', 'class_members.class_id')
      .selectAll('classes')
      .select([
        'class_members.id as member_id',
        'class_members.display_name',
        'class_members.learner',
        'class_members.joined_at',
      ])
      .where('class_members.learner', '=', learner)
      .orderBy('classes.opens_at', 'desc')
      .execute();
    return rows.map((row) => ({
      class: toClass(row),
      member: toMember({
        id: row.member_id,
        class_id: row.id,
        display_name: row.display_name,
        learner: row.learner,
        joined_at: row.joined_at,
      }),
    }));
  }

  /** Whether this learner is a member of a class not ended whose window has not closed. */
  async inCurrentClass(learner: string, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('class_members')
      .innerJoin('classes', 'classes.id', 'class_members.class_id')
      .select('classes.id')
      .where('class_members.learner', '=', learner)
      .where('classes.ended_at', 'is', null)
      .where('classes.closes_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  // Staff who help in a class

  /**
   * Grants the user to the class, or, when they already help in it, changes
   * whether they may watch (who granted it and when stay the first grant's).
   * `added` tells which.
   */
  async grantStaff(grant: StaffGrant): Promise<'added' | 'updated'> {
    const inserted = await this.db
      .insertInto('class_staff')
      .values({
        class_id: grant.classId,
        user_id: grant.userId,
        may_watch: grant.mayWatch ? 1 : 0,
        granted_by: grant.grantedBy,
        granted_at: grant.grantedAt,
      })
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (inserted) return 'added';
    await this.setStaffWatch(grant.classId, grant.userId, grant.mayWatch);
    return 'updated';
  }

  /** Whether a staff member of the class may watch; false when they do not help in it. */
  async setStaffWatch(classId: string, userId: string, mayWatch: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('class_staff')
      .set({ may_watch: mayWatch ? 1 : 0 })
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Takes the user off the class's staff; whether they were on it. */
  async removeStaff(classId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('class_staff')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** The user's grant in this class, if they help in it. */
  async staffGrant(classId: string, userId: string): Promise<StaffGrant | undefined> {
    const row = await this.db
      .selectFrom('class_staff')
      .selectAll()
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && toGrant(row);
  }

  /** A class's staff with their accounts, by username. */
  async staffOf(classId: string): Promise<StaffMemberRecord[]> {
    const rows = await this.db
      .selectFrom('class_staff')
      .innerJoin('users', 'users.id', 'class_staff.user_id')
      .selectAll('class_staff')
      .select(['users.username', 'users.display_name', 'users.role', 'users.disabled_at'])
      .where('class_staff.class_id', '=', classId)
      .orderBy('users.username')
      .execute();
    return rows.map((row) => ({
      ...toGrant(row),
      username: row.username,
      displayName: row.display_name,
      role: row.role as Role,
      disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    }));
  }

  /** The classes this user helps in, with their grants, newest class first. */
  async classesHelpedBy(userId: string): Promise<{ class: ClassRecord; grant: StaffGrant }[]> {
    const rows = await this.db
      .selectFrom('class_staff')
      .innerJoin('classes', 'classes.id', 'class_staff.class_id')
      .selectAll('classes')
      .select([
        'class_staff.user_id',
        'class_staff.may_watch',
        'class_staff.granted_by',
        'class_staff.granted_at',
      ])
      .where('class_staff.user_id', '=', userId)
      .orderBy('classes.created_at', 'desc')
      .orderBy('classes.id')
      .execute();
    return rows.map((row) => ({
      class: toClass(row),
      grant: toGrant({ ...row, class_id: row.id }),
    }));
  }
}

/**
 * Classes and their members, in the same database as the sessions and the staff
 * accounts. The only SQL about classes; records in, records out. What a valid
 * class or display name is, and what a join code looks like, live in classes/.
 */
import type { Kysely, Selectable } from 'kysely';
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
}

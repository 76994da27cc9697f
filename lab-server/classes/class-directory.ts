/**
 * Classes, free of HTTP: an instructor creates one (and warm sandboxes are
 * reserved for it), learners join it by its code with a display name and no
 * account, and ending it ends every session its members have in its labs.
 * An instructor sees only their own classes and those they were granted to
 * help in, an admin every class, an assistant only the classes they were
 * granted (class-access.ts says what each may do; class-staff.ts who helps).
 */
import { randomBytes } from 'node:crypto';
import { normalizeJoinCode } from '../../protocol/classes.ts';
import type { Role } from '../../protocol/accounts.ts';
import type { ClassAccess } from '../../protocol/class-staff.ts';
import type { AccountStore } from '../store/account-store.ts';
import type { ClassRecord, ClassStore, MemberRecord } from '../store/class-store.ts';
import { accessTo } from './class-access.ts';
import { ClassStaff } from './class-staff.ts';
import {
  checkBroadcast,
  checkClass,
  checkDisplayName,
  ClassError,
  type ClassInput,
} from './class-rules.ts';
import { newJoinCode } from './join-code.ts';
import type { ClassProgress } from '../../protocol/class-progress.ts';
import { classProgress, classResults, type ProgressSources } from './class-progress.ts';
import { resultsCsv } from './results-csv.ts';
import type { ClassWarming } from './warm-reservations.ts';
import type { ClassCapacity } from '../../protocol/classes.ts';
import { classCapacity, type MachineFacts } from './class-capacity.ts';

/** Who is asking: a signed-in staff user. */
export interface Viewer {
  userId: string;
  role: Role;
  /** Their sign-in groups: which restricted labs they may put in a class (docs/content-visibility.md). */
  groups?: readonly string[];
}

/** A class with what the viewer may do in it. */
export interface VisibleClass {
  record: ClassRecord;
  access: ClassAccess;
}

/** Tells the live sessions of these learners in these labs; returns how many it reached. */
export type Broadcast = (
  learners: ReadonlySet<string>,
  labs: readonly string[],
  from: string,
  message: string,
) => Promise<number>;

/** What an instructor may do to one learner's sandbox from the dashboard. */
export type MemberAction = 'reset' | 'end' | 'extend';

/** Does `action` to the live sessions of this learner in these labs; returns how many. */
export type ActOnSessions = (
  learner: string,
  labs: readonly string[],
  action: MemberAction,
) => Promise<number>;

/** Ends the live sessions of these learners (`learner:<id>`) in these labs; returns how many. */
export type EndSessions = (
  learners: ReadonlySet<string>,
  labs: readonly string[],
) => Promise<number>;

const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

/** Whether a class may still be joined (and its members count as a class for admission). */
export const isCurrent = (record: ClassRecord, now: number) =>
  record.endedAt === null && now < record.closesAt;

export class ClassDirectory {
  private readonly store: ClassStore;
  private readonly knownLab: (slug: string) => boolean;
  private readonly mayUseLab: (viewer: Viewer, slug: string) => boolean;
  private readonly maxSize: number;
  private readonly warming: ClassWarming;
  private readonly endSessions: EndSessions;
  private readonly deliver: Broadcast;
  private readonly act: ActOnSessions;
  private readonly forgetSessions: (learner: string, labs: readonly string[]) => Promise<number>;
  private readonly progressSources: Omit<ProgressSources, 'classes' | 'now'>;
  private readonly now: () => number;
  private readonly machine: () => Promise<MachineFacts>;
  /** Who helps in each class. */
  readonly staff: ClassStaff;

  constructor(opts: {
    store: ClassStore;
    /** Staff accounts, to find the one a class's instructor grants it to. */
    accounts: Pick<AccountStore, 'userByName'>;
    knownLab: (slug: string) => boolean;
    /** Whether the viewer may see this lab (one kept for groups they are not in is "no lab"); all by default. */
    mayUseLab?: (viewer: Viewer, slug: string) => boolean;
    /** DRYDOCK_MAX_SANDBOXES: no class may expect more learners than sandboxes can run. */
    maxSize: number;
    warming: ClassWarming;
    endSessions: EndSessions;
    broadcast: Broadcast;
    actOnSessions: ActOnSessions;
    /** Deletes a learner's ended sessions in these labs, with their checks and events; how many. */
    forgetSessions: (learner: string, labs: readonly string[]) => Promise<number>;
    /** Where the dashboard's picture comes from besides the class store. */
    progress: Omit<ProgressSources, 'classes' | 'now'>;
    /** What this machine offers classes now (limits, the host's memory, a sandbox's share of it). */
    machine: () => Promise<MachineFacts>;
    now?: () => number;
  }) {
    this.store = opts.store;
    this.knownLab = opts.knownLab;
    this.mayUseLab = opts.mayUseLab ?? (() => true);
    this.maxSize = opts.maxSize;
    this.warming = opts.warming;
    this.endSessions = opts.endSessions;
    this.deliver = opts.broadcast;
    this.act = opts.actOnSessions;
    this.forgetSessions = opts.forgetSessions;
    this.progressSources = opts.progress;
    this.now = opts.now ?? Date.now;
    this.machine = opts.machine;
    this.staff = new ClassStaff({
      store: opts.store,
      accounts: opts.accounts,
      managed: (viewer, id, doing) => this.managed(viewer, id, doing),
      now: this.now,
    });
  }

  /**
   * Whether this machine can hold a class of these labs and this size, beside the
   * other current classes of its window (without an opening: from now; without a
   * close: as long as a class may last, 14 days). A ClassError names the input
   * that is wrong.
   */
  async capacity(
    viewer: Viewer,
    input: {
      labs: string[];
      expectedSize: number;
      opensAt?: Date;
      closesAt?: Date;
    },
  ): Promise<ClassCapacity> {
    if (input.labs.length === 0)
      throw new ClassError('invalid', 'Choose at least one lab.', 'labs');
    const unknown = input.labs.filter((slug) => !this.knownLabFor(viewer, slug));
    if (unknown.length > 0)
      throw new ClassError(
        'invalid',
        `No lab is called ${unknown.map((s) => `"${s}"`).join(', ')}.`,
        'labs',
      );
    if (!Number.isInteger(input.expectedSize) || input.expectedSize < 1)
      throw new ClassError('invalid', 'Expect at least one learner.', 'size');
    const now = this.now();
    const opensAt = input.opensAt?.getTime() ?? now;
    const closesAt = input.closesAt?.getTime() ?? opensAt + 14 * 86_400_000;
    if (closesAt <= opensAt)
      throw new ClassError('invalid', 'The class must close after it opens.', 'closesAt');
    const [current, machine] = await Promise.all([this.store.currentClasses(now), this.machine()]);
    return classCapacity({ expectedSize: input.expectedSize, opensAt, closesAt }, current, machine);
  }

  /** A lab this viewer may choose: one that exists and that they may see. */
  private knownLabFor(viewer: Viewer, slug: string): boolean {
    return this.knownLab(slug) && this.mayUseLab(viewer, slug);
  }

  /** Whether the machine holds each of these classes that is not over yet (by id). */
  async capacities(records: ClassRecord[]): Promise<Map<string, ClassCapacity>> {
    const now = this.now();
    const asked = records.filter((r) => isCurrent(r, now));
    if (asked.length === 0) return new Map();
    const [current, machine] = await Promise.all([this.store.currentClasses(now), this.machine()]);
    return new Map(asked.map((r) => [r.id, classCapacity(r, current, machine)]));
  }

  /** Reserves warm sandboxes for every current class (at start: reservations live in memory). */
  async warm(): Promise<void> {
    this.warming.sync(await this.store.currentClasses(this.now()));
  }

  async create(owner: Viewer, input: ClassInput): Promise<ClassRecord> {
    const now = this.now();
    const valid = checkClass(input, {
      knownLab: (slug) => this.knownLabFor(owner, slug),
      maxSize: this.maxSize,
      now,
    });
    // 2^40 codes: a collision is rare, and the unique index catches the one that happens.
    for (let attempt = 0; attempt < 5; attempt++) {
      const record: ClassRecord = {
        id: newId('c'),
        name: valid.name,
        labs: valid.labs,
        opensAt: valid.opensAt.getTime(),
        closesAt: valid.closesAt.getTime(),
        expectedSize: valid.expectedSize,
        joinCode: newJoinCode(),
        ownerId: owner.userId,
        createdAt: now,
        endedAt: null,
      };
      if (await this.store.addClass(record)) {
        await this.warm();
        return record;
      }
    }
    throw new Error('five join codes in a row were taken: the random source is broken');
  }

  /**
   * An admin's view: every class; an instructor's: their own and those they help
   * in; an assistant's: those they help in. Newest first.
   */
  async list(viewer: Viewer): Promise<VisibleClass[]> {
    if (viewer.role === 'admin')
      return (await this.store.classes()).map((record) => ({
        record,
        access: accessTo(viewer, record, undefined)!,
      }));
    const owned = viewer.role === 'instructor' ? await this.store.classes(viewer.userId) : [];
    const helped = await this.store.classesHelpedBy(viewer.userId);
    const visible = [
      ...owned.map((record) => ({ record, access: accessTo(viewer, record, undefined) })),
      ...helped.map(({ class: record, grant }) => ({
        record,
        access: accessTo(viewer, record, grant),
      })),
    ].filter((v): v is VisibleClass => v.access !== undefined);
    return visible.sort(
      (a, b) =>
        b.record.createdAt - a.record.createdAt ||
        (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0),
    );
  }

  /**
   * The class and what this viewer may do in it. A class that is not theirs to
   * see (another instructor's, not granted to them) is "not found" alike, so ids
   * tell nothing.
   */
  async access(viewer: Viewer, id: string): Promise<VisibleClass> {
    const record = await this.store.classById(id);
    const grant =
      record && viewer.role !== 'admin'
        ? await this.store.staffGrant(record.id, viewer.userId)
        : undefined;
    const access = record && accessTo(viewer, record, grant);
    if (!record || !access)
      throw new ClassError('not-found', `You have no class with the id ${id}.`);
    return { record, access };
  }

  /** The class, if this viewer may see it (read-only for its helpers). */
  async find(viewer: Viewer, id: string): Promise<ClassRecord> {
    return (await this.access(viewer, id)).record;
  }

  /**
   * The class, if this viewer may run it: its instructor or an admin. Its
   * helpers are told who may (`forbidden`), anyone else "not found".
   */
  async managed(viewer: Viewer, id: string, doing: string): Promise<ClassRecord> {
    const { record, access } = await this.access(viewer, id);
    if (!access.mayAct)
      throw new ClassError(
        'forbidden',
        `You help in “${record.name}”: only its instructor or an admin may ${doing}.`,
      );
    return record;
  }

  /**
   * Sends a line to every learner of the class who has a live sandbox in its labs
   * (their lab page shows it above the terminal); `from` is who signs it.
   */
  async broadcast(viewer: Viewer, id: string, from: string, message: string): Promise<number> {
    const line = checkBroadcast(message);
    const record = await this.managed(viewer, id, 'send a message to the class');
    if (record.endedAt !== null)
      throw new ClassError('closed', `The class “${record.name}” has ended.`);
    const learners = new Set((await this.store.members(record.id)).map((m) => m.learner));
    return learners.size > 0 ? this.deliver(learners, record.labs, from, line) : 0;
  }

  /**
   * Resets (ends with reason `reset`: Start then gives a fresh sandbox), ends or
   * extends the live sessions one member has in the class's labs; returns how many
   * there were. A member of another class is "not found", as another instructor's
   * class is.
   */
  async actOnMember(
    viewer: Viewer,
    classId: string,
    memberId: string,
    action: MemberAction,
  ): Promise<{ member: MemberRecord; sessions: number }> {
    const record = await this.managed(viewer, classId, 'act on a learner’s sandbox');
    const member = (await this.store.members(record.id)).find((m) => m.id === memberId);
    if (!member)
      throw new ClassError('not-found', `The class “${record.name}” has no learner ${memberId}.`);
    return { member, sessions: await this.act(member.learner, record.labs, action) };
  }

  /**
   * Deletes one learner's records from the class, at their request: their live
   * sandboxes in its labs are ended, their sessions there (checks, events) are
   * deleted, and so is their membership (display name and identity).
   */
  async forgetMember(
    viewer: Viewer,
    classId: string,
    memberId: string,
  ): Promise<{ sessionsDeleted: number }> {
    const record = await this.managed(viewer, classId, 'delete a learner’s records');
    const { member } = await this.actOnMember(viewer, classId, memberId, 'end');
    const sessionsDeleted = await this.forgetSessions(member.learner, record.labs);
    await this.store.removeMember(record.id, member.id);
    return { sessionsDeleted };
  }

  /** Every member by every task, and where the class is stuck, as the dashboard shows it. */
  progress(record: ClassRecord): Promise<ClassProgress> {
    return classProgress(record, { ...this.progressSources, classes: this.store, now: this.now });
  }

  /** The class's results as CSV: one row per learner and task. */
  async resultsCsv(record: ClassRecord): Promise<string> {
    const sources = { ...this.progressSources, classes: this.store, now: this.now };
    return resultsCsv(await classResults(record, sources));
  }

  members(record: ClassRecord): Promise<MemberRecord[]> {
    return this.store.members(record.id);
  }

  memberCounts(records: ClassRecord[]): Promise<Map<string, number>> {
    return this.store.memberCounts(records.map((r) => r.id));
  }

  /**
   * The class a code opens, while it may be joined. `not-found` for a code no
   * class has (a guess: the caller counts it), `closed` for one that ended or
   * whose window is over.
   */
  async byCode(typed: string): Promise<ClassRecord> {
    const code = normalizeJoinCode(typed);
    const record = code === undefined ? undefined : await this.store.classByCode(code);
    if (!record)
      throw new ClassError('not-found', 'No class has that code. Check it and try again.');
    if (record.endedAt !== null)
      throw new ClassError('closed', `The class “${record.name}” has ended.`);
    if (this.now() >= record.closesAt)
      throw new ClassError('closed', `The class “${record.name}” is over: its time window closed.`);
    return record;
  }

  /** Joins this learner to the class of `code`; the same learner again keeps their membership. */
  async join(
    code: string,
    learner: string,
    displayName: string,
  ): Promise<{ class: ClassRecord; member: MemberRecord }> {
    const name = checkDisplayName(displayName);
    const record = await this.byCode(code);
    const member = await this.store.join({
      id: newId('m'),
      classId: record.id,
      displayName: name,
      learner,
      joinedAt: this.now(),
    });
    return { class: record, member };
  }

  memberships(learner: string): Promise<{ member: MemberRecord; class: ClassRecord }[]> {
    return this.store.membershipsOf(learner);
  }

  /**
   * Whether this staff member may watch a learner's terminal in this lab: an
   * admin always; anyone else when the learner is in a class of theirs that has
   * not ended and has the lab, and they may watch in it (its instructor, or a
   * helper granted watching).
   */
  async mayWatch(viewer: Viewer, learner: string | null, lab: string): Promise<boolean> {
    if (viewer.role === 'admin') return true;
    if (learner === null) return false;
    const memberships = await this.store.membershipsOf(learner);
    for (const { class: record } of memberships) {
      if (record.endedAt !== null || !record.labs.includes(lab)) continue;
      const grant = await this.store.staffGrant(record.id, viewer.userId);
      if (accessTo(viewer, record, grant)?.mayWatch) return true;
    }
    return false;
  }

  /** Whether this learner belongs to a class that is neither ended nor over (admission asks). */
  inCurrentClass(learner: string): Promise<boolean> {
    return this.store.inCurrentClass(learner, this.now());
  }

  /**
   * Ends the class: no more joins, every live session of its members in its
   * labs ended (their sandboxes removed before this returns), its warm
   * reservation cancelled. Ending an ended class again ends nothing more.
   */
  async end(viewer: Viewer, id: string): Promise<{ class: ClassRecord; sessionsEnded: number }> {
    const record = await this.managed(viewer, id, 'end the class');
    if (record.endedAt !== null) return { class: record, sessionsEnded: 0 };
    const endedAt = this.now();
    await this.store.endClass(record.id, endedAt);
    await this.warm();
    const learners = new Set((await this.store.members(record.id)).map((m) => m.learner));
    const sessionsEnded = learners.size > 0 ? await this.endSessions(learners, record.labs) : 0;
    return { class: { ...record, endedAt }, sessionsEnded };
  }
}

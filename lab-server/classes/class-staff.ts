/**
 * Who helps in a class: its instructor, or an admin, grants an existing,
 * enabled staff account (an assistant, or another instructor) to the class,
 * with or without watching its learners' terminals, changes that, and takes
 * them off it. What a helper may then do is class-access.ts's to say. Free of
 * HTTP: each refusal is a ClassError that says what to do instead.
 */
import type { AccountStore } from '../store/account-store.ts';
import type { ClassRecord, ClassStore, StaffMemberRecord } from '../store/class-store.ts';
import { AccountError, normalizeUsername } from '../accounts/account-rules.ts';
import { ClassError } from './class-rules.ts';
import type { Viewer } from './class-directory.ts';

/** The class, if this viewer may run it (its instructor or an admin); else a ClassError. */
export type ManagedClass = (viewer: Viewer, id: string, doing: string) => Promise<ClassRecord>;

const invalid = (message: string) => new ClassError('invalid', message, 'username');

export class ClassStaff {
  private readonly store: ClassStore;
  private readonly accounts: Pick<AccountStore, 'userByName'>;
  private readonly managed: ManagedClass;
  private readonly now: () => number;

  constructor(opts: {
    store: ClassStore;
    accounts: Pick<AccountStore, 'userByName'>;
    managed: ManagedClass;
    now: () => number;
  }) {
    this.store = opts.store;
    this.accounts = opts.accounts;
    this.managed = opts.managed;
    this.now = opts.now;
  }

  /** The class's helpers, by username. */
  async list(viewer: Viewer, classId: string): Promise<StaffMemberRecord[]> {
    const record = await this.managed(viewer, classId, 'see who helps in it');
    return this.store.staffOf(record.id);
  }

  /**
   * Grants the account of `username` to the class; granting a helper again sets
   * whether they may watch. `added` is false for a helper already on it.
   */
  async grant(
    viewer: Viewer,
    classId: string,
    username: string,
    mayWatch: boolean,
  ): Promise<{ added: boolean; staff: StaffMemberRecord[] }> {
    const record = await this.managed(viewer, classId, 'say who helps in it');
    let name: string;
    try {
      name = normalizeUsername(username);
    } catch (error) {
      if (error instanceof AccountError) throw invalid(`${error.message}.`);
      throw error;
    }
    const user = await this.accounts.userByName(name);
    // Learners have no staff account (a learner's account only signs them in for their
    // groups' content): a name that is not a staff account's is refused alike.
    if (!user || user.role === 'learner')
      throw invalid(
        `There is no staff account called ${name}. The operator makes one with \`drydock users add ${name} --role assistant\`.`,
      );
    if (user.role === 'admin')
      throw invalid(`${name} is an admin, who sees and runs every class already.`);
    if (user.id === viewer.userId)
      throw invalid('That is you: you run this class already, and need no grant.');
    if (user.id === record.ownerId)
      throw invalid(`${name} is this class’s instructor, who runs it already.`);
    if (user.disabledAt !== null)
      throw invalid(`${name}’s account is disabled: ask the operator to enable it first.`);
    const outcome = await this.store.grantStaff({
      classId: record.id,
      userId: user.id,
      mayWatch,
      // The operator (admin API) is no account.
      grantedBy: viewer.userId === '' ? null : viewer.userId,
      grantedAt: this.now(),
    });
    return { added: outcome === 'added', staff: await this.store.staffOf(record.id) };
  }

  /** Sets whether a helper of the class may watch its learners' terminals. */
  async change(
    viewer: Viewer,
    classId: string,
    userId: string,
    mayWatch: boolean,
  ): Promise<StaffMemberRecord[]> {
    const record = await this.managed(viewer, classId, 'say who helps in it');
    if (!(await this.store.setStaffWatch(record.id, userId, mayWatch)))
      throw notHelping(record, userId);
    return this.store.staffOf(record.id);
  }

  /** Takes a helper off the class: from now on they see nothing of it. */
  async remove(viewer: Viewer, classId: string, userId: string): Promise<StaffMemberRecord[]> {
    const record = await this.managed(viewer, classId, 'say who helps in it');
    if (!(await this.store.removeStaff(record.id, userId))) throw notHelping(record, userId);
    return this.store.staffOf(record.id);
  }
}

const notHelping = (record: ClassRecord, userId: string) =>
  new ClassError('not-found', `Nobody with the user id ${userId} helps in “${record.name}”.`);

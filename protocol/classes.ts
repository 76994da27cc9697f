/**
 * Classes on the wire (issue #11): what an instructor sends and is shown
 * (`/api/classes`), what a learner is shown before and after joining
 * (`/api/join`, `/api/membership`), and the join code's alphabet, which both
 * sides need (the page tidies what a learner typed the way the server does).
 * Free of Node-only APIs: the browser bundles it.
 */
import * as z from 'zod/mini';
import { ClassAccessSchema } from './class-staff.ts';

/** `c_` / `m_` and 12 base64url characters. */
export const CLASS_ID = /^c_[A-Za-z0-9_-]{12}$/;
export const MEMBER_ID = /^m_[A-Za-z0-9_-]{12}$/;

/**
 * Crockford's base32: digits and upper-case letters without I, L, O and U, so
 * that nothing read aloud or from a projector is mistaken for something else.
 * 32 symbols, 8 of them: 2^40 codes.
 */
export const JOIN_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const JOIN_CODE_LENGTH = 8;

/**
 * A typed code as it is stored: upper case, spaces and dashes dropped, and the
 * letters people type for the digits they saw (O for 0, I and L for 1) taken as
 * those digits. Undefined when what is left cannot be a code.
 */
export function normalizeJoinCode(text: string): string | undefined {
  const code = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const valid = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);
  return valid.test(code) ? code : undefined;
}

/** `ABCD-EFGH`: two halves are easier to read out and to type. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** In characters (code points) after trimming. */
export const CLASS_NAME_MAX = 100;
export const DISPLAY_NAME_MAX = 40;
export const CLASS_LABS_MAX = 20;

/**
 * upcoming: before its window; open: within it; closed: its window is over;
 * ended: an instructor ended it (sandboxes removed). Only upcoming and open
 * classes can be joined.
 */
export const CLASS_STATES = ['upcoming', 'open', 'closed', 'ended'] as const;
export const ClassStateSchema = z.enum(CLASS_STATES);
export type ClassState = z.infer<typeof ClassStateSchema>;

/**
 * `POST /api/classes`. Only the shapes are checked here; what makes a class
 * valid (known labs, a window that closes after it opens, a size this server
 * can hold) is the server's to say, field by field.
 */
export const CreateClassBodySchema = z.strictObject({
  name: z.string().check(z.maxLength(1000)),
  /** Lab slugs in the order learners take them. */
  labs: z.array(z.string().check(z.maxLength(100))).check(z.maxLength(100)),
  opensAt: z.iso.datetime({ offset: true }),
  closesAt: z.iso.datetime({ offset: true }),
  expectedSize: z.int(),
});
export type CreateClassBody = z.infer<typeof CreateClassBodySchema>;

export const ClassLabSchema = z.object({ slug: z.string(), title: z.string() });
export type ClassLab = z.infer<typeof ClassLabSchema>;

/** What anyone with the code may see of a class: nothing about who joined. */
export const ClassPreviewSchema = z.object({
  name: z.string(),
  labs: z.array(ClassLabSchema),
  opensAt: z.iso.datetime(),
  closesAt: z.iso.datetime(),
  state: ClassStateSchema,
});
export type ClassPreview = z.infer<typeof ClassPreviewSchema>;

/** What can bound the sandboxes a machine runs at once for a class. */
export const CAPACITY_LIMITS = ['sandboxes', 'memory'] as const;

/** One limit and what it allows: `DRYDOCK_MAX_SANDBOXES=40 allows 40`. */
export const CapacityLimitSchema = z.object({
  limit: z.enum(CAPACITY_LIMITS),
  /** Sandboxes it lets run at once. */
  sandboxes: z.int().check(z.nonnegative()),
  /** The limit in words, with the setting or figure behind it. */
  says: z.string(),
});
export type CapacityLimit = z.infer<typeof CapacityLimitSchema>;

/**
 * Whether this machine can hold a class (`GET /api/classes/capacity`, and on each
 * current class's summary): its expected learners against the sandboxes left for
 * it at once, by the tightest limit, after the other classes of its window.
 */
export const ClassCapacitySchema = z.object({
  fits: z.boolean(),
  expectedSize: z.int().check(z.positive()),
  /** Sandboxes the machine runs at once, by its tightest limit. */
  sandboxes: z.int().check(z.nonnegative()),
  limitedBy: z.enum(CAPACITY_LIMITS),
  /** Every limit known, the binding one first. */
  limits: z.array(CapacityLimitSchema),
  /** Other current classes whose window overlaps this one's, and the learners they expect. */
  overlapping: z.object({
    classes: z.int().check(z.nonnegative()),
    learners: z.int().check(z.nonnegative()),
  }),
  /** Sandboxes of its first lab set up ahead of the opening (DRYDOCK_WARM_MAX bounds them). */
  warm: z.int().check(z.nonnegative()),
  /** One sentence: fits or not, and the limit that decides it. */
  summary: z.string(),
  /** What to change when it does not fit. */
  fix: z.optional(z.string()),
});
export type ClassCapacity = z.infer<typeof ClassCapacitySchema>;

/** A class as its instructor (or an admin, or a helper) sees it in a list. */
export const ClassSummarySchema = z.extend(ClassPreviewSchema, {
  id: z.string().check(z.regex(CLASS_ID)),
  expectedSize: z.int().check(z.positive()),
  /** As stored (`ABCD1234`); shown as `formatJoinCode`. */
  joinCode: z.string(),
  /** The page a learner opens: `/join/?code=…`, on this server. */
  joinPath: z.string(),
  /** The instructor's username; absent once that account was removed. */
  owner: z.optional(z.string()),
  members: z.int().check(z.nonnegative()),
  createdAt: z.iso.datetime(),
  endedAt: z.optional(z.iso.datetime()),
  /** Whether the machine can hold it: for classes not over yet (upcoming or open). */
  capacity: z.optional(ClassCapacitySchema),
  /** What the viewer may do in it (protocol/class-staff.ts): a page offers only that. */
  you: ClassAccessSchema,
});
export type ClassSummary = z.infer<typeof ClassSummarySchema>;

export const ClassListSchema = z.object({ classes: z.array(ClassSummarySchema) });
export type ClassList = z.infer<typeof ClassListSchema>;

export const MemberSchema = z.object({
  id: z.string().check(z.regex(MEMBER_ID)),
  /** What the learner typed: show it as text, never as markup. */
  displayName: z.string(),
  joinedAt: z.iso.datetime(),
});
export type Member = z.infer<typeof MemberSchema>;

/** `GET /api/classes/:id`: the class and who joined it. */
export const ClassDetailSchema = z.extend(ClassSummarySchema, { roster: z.array(MemberSchema) });
export type ClassDetail = z.infer<typeof ClassDetailSchema>;

/** `POST /api/classes/:id/end`: the class, and how many sessions that ended. */
export const EndedClassSchema = z.object({
  class: ClassSummarySchema,
  sessionsEnded: z.int().check(z.nonnegative()),
});
export type EndedClass = z.infer<typeof EndedClassSchema>;

/** In characters (code points) after trimming: a line a learner reads at a glance. */
export const BROADCAST_MAX = 280;

/** `POST /api/classes/:id/broadcast`: a line every learner of the class sees above their terminal. */
export const BroadcastBodySchema = z.strictObject({
  message: z.string().check(z.maxLength(4000)),
});
export type BroadcastBody = z.infer<typeof BroadcastBodySchema>;

export const BroadcastResultSchema = z.object({
  /** Live sessions of the class's learners it reached (their open terminals show it at once). */
  delivered: z.int().check(z.nonnegative()),
});
export type BroadcastResult = z.infer<typeof BroadcastResultSchema>;

/** What an instructor may do to one learner's sandbox: `POST /api/classes/:id/members/:memberId/<action>`. */
export const MEMBER_ACTIONS = ['reset', 'end', 'extend'] as const;

export const MemberActionResultSchema = z.object({
  /** The learner's live sessions in the class's labs it acted on (0: they have none now). */
  sessions: z.int().check(z.nonnegative()),
});
export type MemberActionResult = z.infer<typeof MemberActionResultSchema>;

/** `DELETE /api/classes/:id/members/:memberId`: the learner's records are gone. */
export const ForgottenMemberSchema = z.object({
  /** Their ended sessions in the class's labs deleted, with their checks and events. */
  sessionsDeleted: z.int().check(z.nonnegative()),
});
export type ForgottenMember = z.infer<typeof ForgottenMemberSchema>;

/** `POST /api/join`, with the browser's learner identity (X-Drydock-Learner). */
export const JoinBodySchema = z.strictObject({
  code: z.string().check(z.maxLength(64)),
  displayName: z.string().check(z.maxLength(1000)),
});
export type JoinBody = z.infer<typeof JoinBodySchema>;

/** One class a learner joined, as they see it (`POST /api/join`, `GET /api/membership`). */
export const MembershipSchema = z.extend(MemberSchema, {
  code: z.string(),
  class: ClassPreviewSchema,
});
export type Membership = z.infer<typeof MembershipSchema>;

export const MembershipListSchema = z.object({ memberships: z.array(MembershipSchema) });
export type MembershipList = z.infer<typeof MembershipListSchema>;

/**
 * `GET /api/classes/capacity?labs=a,b&size=30[&opensAt=…&closesAt=…]`: the class
 * the create form is filling in. Without a window, the classes current now count.
 */
export const CapacityQuerySchema = z.strictObject({
  labs: z.string().check(z.minLength(1), z.maxLength(2000)),
  size: z.string().check(z.regex(/^\d{1,5}$/)),
  opensAt: z.optional(z.iso.datetime({ offset: true })),
  closesAt: z.optional(z.iso.datetime({ offset: true })),
});
export type CapacityQuery = z.infer<typeof CapacityQuerySchema>;

/**
 * Who helps in a class, on the wire (issue #11): the class's instructor (or an
 * admin) grants an assistant, or another instructor, to one class, with or
 * without watching its learners' terminals (`/api/classes/:id/staff`). Every
 * class the API shows says what the viewer may do in it (`you`), so a page
 * offers only that. Free of Node-only APIs: the browser bundles it.
 */
import * as z from 'zod/mini';
import { RoleSchema } from './accounts.ts';

/** `u_` and 12 base64url characters. */
export const USER_ID = /^u_[A-Za-z0-9_-]{12}$/;

/**
 * What the signed-in viewer may do in one class. `owner`: its instructor;
 * `admin`: any class; `staff`: granted to help in it, which is seeing it (the
 * dashboard, its progress, its roster) and, with `mayWatch`, watching its
 * learners' terminals. `mayAct` (owner and admin only): broadcast, reset, end or
 * extend a learner's sandbox, delete their records, download the results, end
 * the class and say who helps in it.
 */
export const ClassAccessSchema = z.object({
  role: z.enum(['owner', 'admin', 'staff']),
  mayWatch: z.boolean(),
  mayAct: z.boolean(),
});
export type ClassAccess = z.infer<typeof ClassAccessSchema>;

/** One helper of a class, as its instructor sees them. */
export const StaffMemberSchema = z.object({
  userId: z.string().check(z.regex(USER_ID)),
  username: z.string(),
  displayName: z.string(),
  /** `assistant`, or `instructor` for another instructor helping here. */
  role: RoleSchema,
  mayWatch: z.boolean(),
  grantedAt: z.iso.datetime(),
  /** Present (true) while their account is disabled: they cannot sign in. */
  disabled: z.optional(z.literal(true)),
});
export type StaffMember = z.infer<typeof StaffMemberSchema>;

/** Every answer of `/api/classes/:id/staff`: the class's helpers after it, by username. */
export const StaffListSchema = z.object({ staff: z.array(StaffMemberSchema) });
export type StaffList = z.infer<typeof StaffListSchema>;

/**
 * `POST /api/classes/:id/staff`: grants the account of `username` (an assistant
 * or another instructor) to the class; granting someone already on it again
 * sets `mayWatch` anew. `mayWatch` defaults to false.
 */
export const GrantStaffBodySchema = z.strictObject({
  username: z.string().check(z.maxLength(200)),
  mayWatch: z.optional(z.boolean()),
});
export type GrantStaffBody = z.infer<typeof GrantStaffBodySchema>;

/** `PATCH /api/classes/:id/staff/:userId`: whether they may watch terminals from now on. */
export const ChangeStaffBodySchema = z.strictObject({ mayWatch: z.boolean() });
export type ChangeStaffBody = z.infer<typeof ChangeStaffBodySchema>;

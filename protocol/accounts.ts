/**
 * Accounts on the wire: who may sign in (`POST /api/auth/sign-in`), who is
 * signed in (`GET /api/auth/me`) and the roles. Most learners have no account;
 * staff run classes (issue #11), and a `learner` account only signs someone in
 * so that the groups they belong to show them the labs and lessons restricted
 * to those groups (issue #13, docs/content-visibility.md). The sign-in page
 * parses its answers with these, and the server derives its schemas from them.
 */
import * as z from 'zod/mini';

/**
 * admin: runs the server (admin API); instructor: runs classes; assistant: helps in one;
 * learner: no staff rights at all, signed in only to see what their groups may.
 */
export const ROLES = ['admin', 'instructor', 'assistant', 'learner'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * Lower-case letters, digits and `.`, `_`, `-`, starting with a letter or digit:
 * what an OpenID provider's `preferred_username` or a mail address's local part
 * usually is, and safe in a URL, a log line and a shell.
 */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Long enough to be worth hashing slowly, short enough to bound the work a request can ask for. */
export const PASSWORD_MAX_LENGTH = 1024;

/** How a staff member proved who they are: a local account's password, or the operator's OpenID provider. */
export const SIGN_IN_METHODS = ['password', 'oidc'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

export const SignInBodySchema = z.strictObject({
  /** Compared without regard to case: it is stored in lower case. */
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  password: z.string().check(z.minLength(1), z.maxLength(PASSWORD_MAX_LENGTH)),
});
export type SignInBody = z.infer<typeof SignInBodySchema>;

export const SignedInUserSchema = z.object({
  username: z.string().check(z.regex(USERNAME)),
  displayName: z.string(),
  role: RoleSchema,
});
export type SignedInUser = z.infer<typeof SignedInUserSchema>;

/**
 * `GET /api/auth/me` (and the answer to a sign-in). Not signed in is an answer,
 * not an error: every page asks, and most visitors are learners without an account.
 */
export const AuthStatusSchema = z.union([
  z.object({
    signedIn: z.literal(true),
    user: SignedInUserSchema,
    /** How this sign-in began: a password, or the operator's OpenID provider. */
    method: z.enum(SIGN_IN_METHODS),
    /** When this sign-in ends at the latest (it ends sooner after 2 hours unused). */
    expiresAt: z.iso.datetime(),
  }),
  z.object({ signedIn: z.literal(false) }),
]);
export type AuthStatus = z.infer<typeof AuthStatusSchema>;

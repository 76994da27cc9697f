/**
 * What makes a username, a display name and a password acceptable, and the
 * error that says which rule was broken and how to comply. The CLI shows these
 * messages as they are; a future admin page will too.
 */
import { PASSWORD_MAX_LENGTH, ROLES, USERNAME, type Role } from '../../protocol/accounts.ts';

/**
 * 12 characters at least: OWASP ASVS 5.0 asks 8 at the very least and
 * recommends 15; these accounts are made by an operator for a few staff, who
 * can be asked for a passphrase. No composition rules (NIST SP 800-63B).
 */
export const PASSWORD_MIN_LENGTH = 12;
const DISPLAY_NAME_MAX = 100;

export type AccountErrorKind = 'invalid' | 'exists' | 'unknown';

export class AccountError extends Error {
  readonly kind: AccountErrorKind;
  constructor(kind: AccountErrorKind, message: string) {
    super(message);
    this.name = 'AccountError';
    this.kind = kind;
  }
}

/** The username as stored: lower case, so `Ada` and `ada` are one account. */
export function normalizeUsername(text: string): string {
  const username = text.trim().toLowerCase();
  if (!USERNAME.test(username))
    throw new AccountError(
      'invalid',
      `"${text}" is not a username: use 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  return username;
}

export function checkRole(text: string): Role {
  if ((ROLES as readonly string[]).includes(text)) return text as Role;
  throw new AccountError('invalid', `"${text}" is not a role: use one of ${ROLES.join(', ')}`);
}

/** As lab.yaml's `groups:` allows (lab-format/schema.ts): a group longer never matches a page. */
export const GROUP_MAX_LENGTH = 100;
/** More than any provider sends (Entra ID stops at 200 in a token): a bound on one row. */
export const GROUPS_MAX = 500;

/**
 * A user's sign-in groups as an admin gives them: each 1 to GROUP_MAX_LENGTH
 * characters without control characters or commas (the CLI's separator), no
 * repeats; kept sorted, so a change that changes nothing writes the same row.
 */
export function checkGroups(groups: readonly string[]): string[] {
  const clean = [...new Set(groups.map((g) => g.trim()))].sort();
  for (const group of clean)
    // eslint-disable-next-line no-control-regex
    if (!group || group.length > GROUP_MAX_LENGTH || /[\u0000-\u001f\u007f,]/.test(group))
      throw new AccountError(
        'invalid',
        `"${group}" is not a group: use 1 to ${GROUP_MAX_LENGTH} characters without commas or control characters`,
      );
  if (clean.length > GROUPS_MAX)
    throw new AccountError('invalid', `a user may be in at most ${GROUPS_MAX} groups`);
  return clean;
}

/**
 * The groups an OpenID provider says a person is in, as stored: what checkGroups
 * would refuse is left out rather than refusing the sign-in (a provider's odd
 * group can never match a page's anyway).
 */
export function groupsFromProvider(groups: readonly string[]): string[] {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/;
  return [...new Set(groups)]
    .filter((g) => g.length > 0 && g.length <= GROUP_MAX_LENGTH && !control.test(g))
    .sort()
    .slice(0, GROUPS_MAX);
}

export function checkDisplayName(text: string): string {
  const name = text.trim();
  // Control characters would let a name rewrite a terminal's or a log's line.
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > DISPLAY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(name))
    throw new AccountError(
      'invalid',
      `the display name must be 1 to ${DISPLAY_NAME_MAX} characters without control characters`,
    );
  return name;
}

export function checkPassword(password: string, username: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    throw new AccountError(
      'invalid',
      `the password is too short (${length} characters): use at least ${PASSWORD_MIN_LENGTH}, e.g. a few unrelated words`,
    );
  if (password.length > PASSWORD_MAX_LENGTH)
    throw new AccountError(
      'invalid',
      `the password is too long: use at most ${PASSWORD_MAX_LENGTH} characters`,
    );
  if (password.trim().toLowerCase() === username)
    throw new AccountError('invalid', 'the password must not be the username');
}

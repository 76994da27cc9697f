/**
 * `drydock users add | list | passwd | role | groups | disable | enable | remove`:
 * the accounts that sign in to the site: staff (admin, instructor, assistant), and
 * learners who sign in only to see what their groups may (docs/content-visibility.md). Works
 * on the database the server uses (DRYDOCK_DATABASE_URL), whether or not the
 * server runs: an operator makes the first admin before anyone can sign in.
 * A running server sees each change on the next request; disabling an account
 * or changing its password ends its sign-ins.
 */
import { type Command, Option } from 'commander';
import { ROLES } from '../../protocol/accounts.ts';
import {
  AccountError,
  checkDisplayName,
  checkGroups,
  normalizeUsername,
} from '../accounts/account-rules.ts';
import { UserDirectory } from '../accounts/user-directory.ts';
import { SessionStore } from '../store/session-store.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, formatAge, printJson, table } from './output.ts';
import { readNewPassword } from './password-input.ts';

const NO_ARGV_PASSWORD =
  'passwords are never taken from the command line, where they stay in the shell’s history and show in `ps`: type it at the prompt, or pipe it on stdin';

/** Opens the store, runs `work` with the directory, closes; account errors become CLI errors. */
async function withDirectory<T>(
  context: Context,
  work: (users: UserDirectory) => Promise<T>,
): Promise<T> {
  const store = await SessionStore.open(context.config.database);
  try {
    return await work(new UserDirectory(store.accounts));
  } catch (error) {
    if (error instanceof AccountError)
      throw new CliError(error.message, error.kind === 'invalid' ? EXIT.usage : EXIT.failed);
    throw error;
  } finally {
    await store.close();
  }
}

/** A hidden --password that refuses, with the reason, instead of Commander's bare "unknown option". */
const refusedPassword = () => new Option('--password <password>').hideHelp();

/**
 * Refuses a password given on the command line, as an option or as a second
 * argument, without repeating it (Commander's own "too many arguments" error
 * would print it back).
 */
function refuseArgvPassword(options: { password?: string }, command: Command): void {
  if (options.password !== undefined || command.args.length > 1)
    throw new CliError(NO_ARGV_PASSWORD, EXIT.usage);
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** `--groups a,b`: comma-separated, spaces around each name ignored; empty for none. */
const groupList = (text: string) =>
  text
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);

export function registerUsers(program: Command, context: Context): void {
  const users = program
    .command('users')
    .description(
      'Accounts that sign in to the site: admins, instructors, assistants, and learners (for their groups’ content)',
    );

  users
    .command('add')
    .description(
      'Create an account; the password is read from a prompt without echo, or from stdin when piped',
    )
    .argument('<username>', 'lower-case letters, digits, ".", "_" or "-"')
    .addOption(
      new Option('--role <role>', 'what the account may do').choices(ROLES).makeOptionMandatory(),
    )
    .option('--name <display name>', 'the name shown on pages (default: the username)')
    .option(
      '--groups <groups>',
      'sign-in groups, comma-separated: the restricted labs and lessons the account sees',
    )
    .addOption(refusedPassword())
    .allowExcessArguments()
    .action(
      async (
        username: string,
        options: { role: string; name?: string; groups?: string; password?: string },
        command: Command,
      ) => {
        refuseArgvPassword(options, command);
        await withDirectory(context, async (directory) => {
          // Checked before the prompt: a taken or malformed name should not cost a typed password.
          const name = normalizeUsername(username);
          if (options.name !== undefined) checkDisplayName(options.name);
          const groups = checkGroups(groupList(options.groups ?? ''));
          const taken = await directory.find(name).catch(() => undefined);
          if (taken) throw new CliError(`there is already an account called ${name}`);
          const password = await readNewPassword(username);
          const user = await directory.add({
            username,
            role: options.role,
            displayName: options.name,
            password,
            groups,
          });
          console.log(
            `added ${user.username} (${user.role}${groups.length ? `; groups ${groups.join(', ')}` : ''})`,
          );
        });
      },
    );

  users
    .command('list')
    .description(
      'Every account: role, whether it may sign in, with a password or OpenID Connect, when it was last seen signed in',
    )
    .option('--json', 'print the accounts as JSON')
    .action(async (options: { json?: boolean }) => {
      const list = await withDirectory(context, (directory) => directory.list());
      const rows = list.map((u) => ({
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        groups: u.groups,
        disabled: u.disabledAt !== null,
        signsInWith: u.oidcIssuer === null ? 'password' : 'oidc',
        createdAt: new Date(u.createdAt).toISOString(),
        lastSeenAt: u.lastSeenAt === null ? null : new Date(u.lastSeenAt).toISOString(),
      }));
      if (options.json) return printJson(rows);
      if (rows.length === 0)
        return console.log(
          'no accounts; create one with `drydock users add <username> --role admin`',
        );
      const now = new Date();
      console.log(
        table(
          ['USERNAME', 'ROLE', 'STATE', 'SIGNS IN WITH', 'CREATED', 'LAST SEEN', 'GROUPS', 'NAME'],
          rows.map((u) => [
            u.username,
            u.role,
            u.disabled ? 'disabled' : 'active',
            u.signsInWith,
            formatAge(new Date(u.createdAt), now),
            u.lastSeenAt ? formatAge(new Date(u.lastSeenAt), now) : '-',
            u.groups.length ? u.groups.join(',') : '-',
            u.displayName,
          ]),
        ),
      );
    });

  users
    .command('passwd')
    .description('Set a new password (prompt or stdin); the account’s sign-ins end')
    .argument('<username>')
    .addOption(refusedPassword())
    .allowExcessArguments()
    .action(async (username: string, options: { password?: string }, command: Command) => {
      refuseArgvPassword(options, command);
      await withDirectory(context, async (directory) => {
        const user = await directory.find(username);
        const ended = await directory.setPassword(user.username, await readNewPassword(username));
        console.log(`new password for ${user.username}; ${plural(ended, 'sign-in')} ended`);
      });
    });

  users
    .command('role')
    .description('Change an account’s role (takes effect on its next request)')
    .argument('<username>')
    .addArgument(users.createArgument('<role>', 'the new role').choices(ROLES))
    .action(async (username: string, role: (typeof ROLES)[number]) => {
      const user = await withDirectory(context, (directory) => directory.setRole(username, role));
      console.log(`${user.username} is now ${user.role}`);
    });

  users
    .command('groups')
    .description(
      'Set a local account’s sign-in groups (comma-separated; "" for none): which restricted labs and lessons it sees, from its next request. A provider’s user gets theirs from the provider at each sign-in',
    )
    .argument('<username>')
    .argument('<groups>', 'e.g. platform-team,payments')
    .action(async (username: string, groups: string) => {
      const user = await withDirectory(context, (directory) =>
        directory.setGroups(username, groupList(groups)),
      );
      console.log(
        user.groups.length
          ? `${user.username} is in ${user.groups.join(', ')}`
          : `${user.username} is in no group`,
      );
    });

  users
    .command('disable')
    .description('Stop an account from signing in; its sign-ins end at once')
    .argument('<username>')
    .action(async (username: string) => {
      const ended = await withDirectory(context, (directory) =>
        directory.setDisabled(username, true),
      );
      console.log(`disabled ${username.toLowerCase()}; ${plural(ended, 'sign-in')} ended`);
    });

  users
    .command('enable')
    .description('Let a disabled account sign in again')
    .argument('<username>')
    .action(async (username: string) => {
      await withDirectory(context, (directory) => directory.setDisabled(username, false));
      console.log(`enabled ${username.toLowerCase()}`);
    });

  users
    .command('remove')
    .description('Delete an account and end its sign-ins')
    .argument('<username>')
    .action(async (username: string) => {
      const user = await withDirectory(context, (directory) => directory.remove(username));
      console.log(`removed ${user.username}`);
    });
}

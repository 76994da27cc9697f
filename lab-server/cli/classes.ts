/**
 * `drydock classes list | show <id> | staff <id> | end <id> | forget <id> <member>`: every class on the running
 * server, through its admin API with the operator's token (like `drydock
 * sessions`): ending a class ends its members' sessions and removes their
 * sandboxes, which only the server that runs them can do. Instructors create
 * classes on the site (/classes/); docs/running-a-class.md.
 */
import type { Command } from 'commander';
import {
  CLASS_ID,
  formatJoinCode,
  MEMBER_ID,
  type ForgottenMember,
  type ClassDetail,
  type ClassList,
  type ClassSummary,
  type EndedClass,
} from '../../protocol/classes.ts';
import type { StaffList } from '../../protocol/class-staff.ts';
import { adminApi } from './admin-api.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, formatAge, printJson, table } from './output.ts';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ' UTC';

function describe(c: ClassSummary): string[] {
  return [
    `${c.name} (${c.id})`,
    `  state:    ${c.state}${c.endedAt ? ` at ${when(c.endedAt)}` : ''}`,
    `  window:   ${when(c.opensAt)} to ${when(c.closesAt)}`,
    `  labs:     ${c.labs.map((l) => l.slug).join(', ')}`,
    `  code:     ${formatJoinCode(c.joinCode)} (link: ${c.joinPath})`,
    `  learners: ${c.members} joined of ${c.expectedSize} expected`,
    `  owner:    ${c.owner ?? '(account removed)'}`,
    ...(c.capacity
      ? [
          `  room:     ${c.capacity.summary}`,
          ...(c.capacity.fix ? [`  fix:      ${c.capacity.fix}`] : []),
        ]
      : []),
  ];
}

export function registerClasses(program: Command, context: Context): void {
  const classes = program
    .command('classes')
    .description('List, show and end the running server’s classes (admin API)')
    .option('--url <url>', 'the server (default: from DRYDOCK_HOST and DRYDOCK_PORT)');
  const call = adminApi(context, () => classes.opts<{ url?: string }>().url);

  const id = (text: string) => {
    if (!CLASS_ID.test(text))
      throw new CliError(
        `"${text}" is not a class id (c_ and 12 characters; see \`drydock classes list\`)`,
        EXIT.usage,
      );
    return text;
  };

  classes
    .command('list')
    .description('Every class, newest first: its state, window, code and how many joined')
    .option('--json', 'print the classes as JSON')
    .action(async (options: { json?: boolean }) => {
      const { classes: list } = (await call('GET', '/classes')) as ClassList;
      if (options.json) return printJson(list);
      if (list.length === 0)
        return console.log('no classes; instructors create them on the site, at /classes/');
      const now = new Date();
      console.log(
        table(
          ['ID', 'STATE', 'OPENS', 'CODE', 'LEARNERS', 'OWNER', 'CREATED', 'NAME'],
          list.map((c) => [
            c.id,
            c.state,
            when(c.opensAt),
            formatJoinCode(c.joinCode),
            `${c.members}/${c.expectedSize}`,
            c.owner ?? '-',
            formatAge(new Date(c.createdAt), now),
            c.name,
          ]),
        ),
      );
    });

  classes
    .command('show')
    .description('One class and who joined it')
    .argument('<id>', 'the class id (from `drydock classes list`)')
    .option('--json', 'print the class as JSON')
    .action(async (text: string, options: { json?: boolean }) => {
      const detail = (await call('GET', `/classes/${id(text)}`)) as ClassDetail;
      if (options.json) return printJson(detail);
      console.log(describe(detail).join('\n'));
      if (detail.roster.length === 0) return console.log('\nnobody joined yet');
      console.log(
        `\n${table(
          ['MEMBER', 'JOINED', 'NAME'],
          // Names are learners' own text: JSON-quoted so a name cannot move the cursor or fake a row.
          detail.roster.map((m) => [m.id, when(m.joinedAt), JSON.stringify(m.displayName)]),
        )}`,
      );
    });

  classes
    .command('staff')
    .description(
      'Who helps in a class (granted by its instructor), and whether each may watch terminals',
    )
    .argument('<id>', 'the class id (from `drydock classes list`)')
    .option('--json', 'print the helpers as JSON')
    .action(async (text: string, options: { json?: boolean }) => {
      const { staff } = (await call('GET', `/classes/${id(text)}/staff`)) as StaffList;
      if (options.json) return printJson(staff);
      if (staff.length === 0)
        return console.log(
          'nobody helps in this class; its instructor adds helpers on its dashboard',
        );
      console.log(
        table(
          ['USERNAME', 'ROLE', 'WATCH', 'SINCE', 'NAME'],
          staff.map((s) => [
            s.username,
            s.role,
            s.mayWatch ? 'yes' : 'no',
            when(s.grantedAt),
            `${s.displayName}${s.disabled ? ' (disabled)' : ''}`,
          ]),
        ),
      );
    });

  classes
    .command('end')
    .description(
      'End a class now: nobody can join it any more, its learners’ sandboxes are removed and its warm reservation cancelled',
    )
    .argument('<id>', 'the class id (from `drydock classes list`)')
    .option('--json', 'print the ended class as JSON')
    .action(async (text: string, options: { json?: boolean }) => {
      const ended = (await call('POST', `/classes/${id(text)}/end`)) as EndedClass;
      if (options.json) return printJson(ended);
      console.log(
        `ended ${ended.class.id} (${ended.class.name}): ${ended.sessionsEnded} session${ended.sessionsEnded === 1 ? '' : 's'} ended`,
      );
    });

  classes
    .command('forget')
    .description(
      'Delete one learner’s records from a class, at their request: their sandboxes there are ended, their sessions (checks, events) and their membership deleted',
    )
    .argument('<id>', 'the class id (from `drydock classes list`)')
    .argument('<member>', 'the member id (from `drydock classes show <id> --json`)')
    .option('--json', 'print the answer as JSON')
    .action(async (text: string, memberText: string, options: { json?: boolean }) => {
      if (!MEMBER_ID.test(memberText))
        throw new CliError(
          `"${memberText}" is not a member id (m_ and 12 characters; see \`drydock classes show ${text} --json\`)`,
          EXIT.usage,
        );
      const done = (await call(
        'DELETE',
        `/classes/${id(text)}/members/${memberText}`,
      )) as ForgottenMember;
      if (options.json) return printJson(done);
      console.log(
        `deleted ${memberText} from ${text}, with ${done.sessionsDeleted} session${done.sessionsDeleted === 1 ? '' : 's'} and their checks and events`,
      );
    });
}

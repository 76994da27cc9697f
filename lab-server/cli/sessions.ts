/**
 * `drydock sessions list | end <id> | extend <id>`: the running server's sessions,
 * through its admin API (routes/admin.ts) with the operator's token.
 */
import type { Command } from 'commander';
import { SESSION_ID, type OperatorSession } from '../../protocol/session.ts';
import { adminApi } from './admin-api.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, formatAge, intAtLeast, printJson, table } from './output.ts';

export function registerSessions(program: Command, context: Context): void {
  const sessions = program
    .command('sessions')
    .description('List, end and extend the running server’s sessions (admin API)')
    .option('--url <url>', 'the server (default: from DRYDOCK_HOST and DRYDOCK_PORT)');

  const call = adminApi(context, () => sessions.opts<{ url?: string }>().url);

  const id = (text: string) => {
    if (!SESSION_ID.test(text))
      throw new CliError(
        `"${text}" is not a session id (s_ and 12 characters; see \`drydock sessions list\`)`,
        EXIT.usage,
      );
    return text;
  };

  sessions
    .command('list')
    .description('Every session the server knows: live ones and those ended in the last 30 minutes')
    .option('--json', 'print the sessions as JSON')
    .action(async (options: { json?: boolean }) => {
      const { sessions: list } = (await call('GET', '/sessions')) as {
        sessions: OperatorSession[];
      };
      if (options.json) return printJson(list);
      if (list.length === 0) return console.log('no sessions');
      const now = new Date();
      console.log(
        table(
          ['ID', 'LAB', 'STATE', 'STARTED', 'ENDS', 'TERMINALS', 'MESSAGE'],
          list.map((s) => [
            s.id,
            s.lab,
            s.endReason ? `${s.state} (${s.endReason})` : s.state,
            formatAge(new Date(s.createdAt), now),
            s.state === 'ended' || s.state === 'failed'
              ? '-'
              : `in ${Math.max(0, Math.round((Date.parse(s.expiresAt) - now.getTime()) / 60_000))} min`,
            String(s.terminals),
            s.message,
          ]),
        ),
      );
    });

  sessions
    .command('end')
    .description(
      'End a session now: its sandbox is removed and its learner sees that the operator ended it',
    )
    .argument('<id>', 'the session id (from `drydock sessions list`)')
    .action(async (text: string) => {
      await call('DELETE', `/sessions/${id(text)}`);
      console.log(`ended ${text}`);
    });

  sessions
    .command('extend')
    .description('Give a session more time (not counted against the learner’s own extensions)')
    .argument('<id>', 'the session id (from `drydock sessions list`)')
    .option(
      '--minutes <n>',
      'minutes to add (default: DRYDOCK_SESSION_EXTENSION, or 30)',
      intAtLeast(1),
    )
    .option('--json', 'print the session as JSON')
    .action(async (text: string, options: { minutes?: number; json?: boolean }) => {
      const session = (await call(
        'POST',
        `/sessions/${id(text)}/extend`,
        options.minutes ? { minutes: options.minutes } : {},
      )) as OperatorSession;
      if (options.json) return printJson(session);
      console.log(`${session.id} now ends at ${session.expiresAt}`);
    });
}

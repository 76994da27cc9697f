/**
 * The `drydock` command: one Commander program, one module per verb group. Kept
 * apart from main.ts (which only runs it and turns failures into exit codes) so
 * that the verbs' wiring reads in one place.
 */
import { Command } from 'commander';
import { registerClasses } from './classes.ts';
import { Context } from './context.ts';
import { registerDoctor } from './doctor.ts';
import { registerImages } from './images.ts';
import { registerImport } from './import.ts';
import { registerLabs } from './labs.ts';
import { registerSessions } from './sessions.ts';
import { registerUsers } from './users.ts';
import { registerWebhook } from './webhook.ts';

export function buildProgram(context = new Context()): Command {
  const program = new Command('drydock')
    .description(
      'Run, check and maintain a Drydock server. `start`, `test`, `setup` and `run` are handled by the launcher (scripts/drydock); everything else is here.',
    )
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    // Commander throws instead of exiting (subcommands inherit this): main.ts picks the exit code.
    .exitOverride();
  registerDoctor(program, context);
  registerImages(program, context);
  registerSessions(program, context);
  registerLabs(program, context);
  registerImport(program, context);
  registerUsers(program, context);
  registerClasses(program, context);
  registerWebhook(program);
  return program;
}

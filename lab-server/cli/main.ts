/**
 * Entry of the `drydock` operator command (scripts/drydock hands every verb but
 * start/test/setup/run here). Exit codes: 0 done, 1 a check or an action
 * failed, 2 a usage error (unknown verb or option, missing argument, bad config).
 */
import { CommanderError } from 'commander';
import { LabFormatError } from '../../lab-format/load.ts';
import { CliError, EXIT } from './output.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end here too (exitOverride); Commander has printed them already.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
  } else if (error instanceof CliError || error instanceof LabFormatError) {
    console.error(`drydock: ${error.message}`);
    process.exitCode = error instanceof CliError ? error.exitCode : EXIT.failed;
  } else {
    throw error;
  }
}

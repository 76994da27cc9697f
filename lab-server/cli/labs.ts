/**
 * `drydock labs validate | verify <slug...> | new <slug>`: for lab authors and
 * for an operator who adds labs to a server.
 */
import type { Command } from 'commander';
import { scaffoldLab, ScaffoldError } from '../labs/scaffold.ts';
import { validateLabs } from '../labs/validate.ts';
import { startVerifyPlatform, type VerifyPlatform } from '../labs/verify-platform.ts';
import { type ContractResult, formatReport, reportByLab, verifyLab } from '../labs/verify.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, intAtLeast, onInterrupt, printJson, stderrLogger } from './output.ts';

export function registerLabs(program: Command, context: Context): void {
  const labs = program.command('labs').description('Check, verify and create labs');

  labs
    .command('validate')
    .description(
      'Check every lab manifest in labs/ (no engine needed); names file and field of each problem',
    )
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) => {
      const results = validateLabs(context.config.root);
      if (options.json) printJson(results);
      else for (const r of results) console.log(r.ok ? `ok    ${r.slug}` : `fail  ${r.problem}`);
      const failed = results.filter((r) => !r.ok).length;
      if (!options.json)
        console.log(
          `${results.length - failed} of ${results.length} lab(s) valid${failed ? `; ${failed} to fix` : ''}`,
        );
      if (failed) process.exitCode = EXIT.failed;
    });

  labs
    .command('verify')
    .description(
      'Run the lab contract in real sandboxes: checks fail after setup, pass after the solve script and each right fix, and catch each wrong fix with its message',
    )
    .argument('<slug...>', 'the labs to verify (folder names in labs/)')
    .option('--parallel <n>', 'sandboxes at once', intAtLeast(1), 2)
    .option('--json', 'print the results as JSON')
    .action(async (slugs: string[], options: { parallel: number; json?: boolean }) => {
      const all = context.labs();
      const unknown = slugs.filter((slug) => !all.some((lab) => lab.slug === slug));
      if (unknown.length)
        throw new CliError(
          `no lab called ${unknown.join(', ')}; labs: ${all.map((l) => l.slug).join(', ')}`,
          EXIT.usage,
        );
      await context.engine();
      const log = stderrLogger('warn');
      const progress = (line: string) => console.error(line);
      const results: ContractResult[] = [];
      let main: VerifyPlatform | undefined;
      let dind: VerifyPlatform | undefined;
      const start = (profile?: 'dind') =>
        startVerifyPlatform(context.config, log, {
          maxSandboxes: options.parallel,
          ...(profile ? { profile } : {}),
        }).catch((error: Error) => {
          throw new CliError(`${error.message} (\`drydock doctor\` says why)`);
        });
      const undo = onInterrupt(async () => {
        await main?.close();
        await dind?.close();
      });
      try {
        main = await start();
        for (const slug of slugs) {
          let platform = main;
          const unsupported = main.app.backend.status.unsupported?.[slug];
          if (unsupported) {
            progress(
              `${slug}: the ${context.config.sandbox.profile} profile cannot run it here (${unsupported}); verifying under dind`,
            );
            dind ??= await start('dind');
            platform = dind;
          }
          const lab = platform.app.labs.lab(slug)!;
          results.push(
            ...(await verifyLab(platform.sessions, lab, { parallel: options.parallel, progress })),
          );
        }
      } finally {
        undo();
        await main?.close();
        await dind?.close();
      }
      if (options.json) printJson(results);
      else
        for (const r of results) {
          console.log(
            `${r.passed ? 'ok  ' : 'FAIL'}  ${r.slug} / ${r.step} (${r.seconds.toFixed(1)} s)`,
          );
          for (const warning of r.warnings) console.log(`      warning: ${warning}`);
          if (r.problem) console.log(r.problem.replace(/^/gm, '      '));
        }
      if (!options.json)
        for (const report of reportByLab(results)) console.log(formatReport(report));
      if (results.some((r) => !r.passed)) process.exitCode = EXIT.failed;
    });

  labs
    .command('new')
    .description(
      'Create a lab that validates and verifies as generated, with a lesson stub in content/lessons/',
    )
    .argument('<slug>', 'folder name of the new lab, in kebab-case')
    .option('--title <title>', 'the lab’s title', 'A container that never started')
    .action((slug: string, options: { title: string }) => {
      let files: string[];
      try {
        files = scaffoldLab(context.config.root, slug, options.title);
      } catch (error) {
        if (error instanceof ScaffoldError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      for (const file of files) console.log(`created ${file}`);
      console.log(
        `\nNext: edit the scenario, then \`drydock labs validate\` and \`drydock labs verify ${slug}\` (docs/writing-labs.md).`,
      );
    });
}

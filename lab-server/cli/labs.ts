/**
 * `drydock labs validate | verify <slug...> | new <slug>`: for lab authors and
 * for an operator who adds labs to a server.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { REPORT_FILE as IMPORT_REPORT, unmappedOf } from '../import/killercoda/write.ts';
import { scaffoldLab, ScaffoldError } from '../labs/scaffold.ts';
import { validateLabs } from '../labs/validate.ts';
import { startVerifyPlatform, type VerifyPlatform } from '../labs/verify-platform.ts';
import {
  type ContractResult,
  formatReport,
  type LabTarget,
  reportByLab,
  verifyLabs,
} from '../labs/verify.ts';
import { verifyShellcheck } from '../labs/verify-shellcheck.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, intAtLeast, onInterrupt, printJson, stderrLogger } from './output.ts';

const PACK_OPTION = '--pack <folder>';
const PACK_HELP =
  'a content pack to load beside DRYDOCK_CONTENT’s, and act on its labs (docs/content-packs.md)';

export function registerLabs(program: Command, context: Context): void {
  const labs = program.command('labs').description('Check, verify and create labs');

  labs
    .command('validate')
    .description(
      'Check every lab manifest in labs/ (no engine needed); names file and field of each problem',
    )
    .option('--json', 'print the result as JSON')
    .option(PACK_OPTION, PACK_HELP)
    .action((options: { json?: boolean; pack?: string }) => {
      if (options.pack) context.usePack(options.pack);
      const results = validateLabs(
        context.config.content,
        options.pack ? context.packFolders : undefined,
      );
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
      "Run the lab contract in real sandboxes: checks fail after setup, pass after the solve script and each right fix, and catch each wrong fix with its message; and lint the lab's scripts with ShellCheck",
    )
    .argument(
      '[slug...]',
      "the labs to verify (folder names in labs/); with --pack, all the pack's labs when none is named",
    )
    .option('--parallel <n>', 'sandboxes at once', intAtLeast(1), 2)
    .option('--json', 'print the results as JSON')
    .option(PACK_OPTION, PACK_HELP)
    .action(
      async (named: string[], options: { parallel: number; json?: boolean; pack?: string }) => {
        if (options.pack) context.usePack(options.pack);
        const all = context.labs();
        const packName = options.pack
          ? context.config.content.find((s) => s.root === context.packFolders[0])?.name
          : undefined;
        const slugs = named.length
          ? named
          : all
              .filter((lab) => packName !== undefined && lab.source === packName)
              .map((l) => l.slug);
        if (slugs.length === 0)
          throw new CliError(
            options.pack
              ? `the pack in ${options.pack} has no lab of its own to verify`
              : 'name the labs to verify, or use --pack <folder> for all of a pack’s labs',
            EXIT.usage,
          );
        const unknown = slugs.filter((slug) => !all.some((lab) => lab.slug === slug));
        if (unknown.length)
          throw new CliError(
            `no lab called ${unknown.join(', ')}; labs: ${all.map((l) => l.slug).join(', ')}`,
            EXIT.usage,
          );
        const progress = (line: string) => console.error(line);
        // The scripts first: a finding is quicker to read than a broken sandbox.
        const results: ContractResult[] = await verifyShellcheck(
          slugs.map((slug) => all.find((lab) => lab.slug === slug)!),
        );
        for (const r of results)
          progress(`${r.slug} / shellcheck: ${r.passed ? 'ok' : 'FINDINGS'}`);
        await context.engine();
        const log = stderrLogger('warn');
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
          const targets: LabTarget[] = [];
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
            targets.push({ sessions: platform.sessions, lab: platform.app.labs.lab(slug)! });
          }
          results.push(...(await verifyLabs(targets, { parallel: options.parallel, progress })));
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
        // An imported lab says what could not be mapped: that, not the checks, is
        // usually why it fails.
        for (const slug of new Set(results.filter((r) => !r.passed).map((r) => r.slug))) {
          const unmapped = unmappedOf(all.find((lab) => lab.slug === slug)!.dir);
          if (unmapped?.length)
            console.error(
              `note: ${slug} was imported, and ${unmapped.length} part(s) of it could not be mapped (labs/${slug}/${IMPORT_REPORT}); expect what depends on them to fail:\n${unmapped.map((u) => `  - ${u}`).join('\n')}`,
            );
        }
        if (results.some((r) => !r.passed)) process.exitCode = EXIT.failed;
      },
    );

  labs
    .command('new')
    .description(
      'Create a lab that validates and verifies as generated, with a lesson stub in content/lessons/',
    )
    .argument('<slug>', 'folder name of the new lab, in kebab-case')
    .option('--title <title>', 'the lab’s title', 'A container that never started')
    .option(
      '--pack <folder>',
      'make it in this content pack (its labs/ and lessons/) instead of this checkout',
    )
    .action((slug: string, options: { title: string; pack?: string }) => {
      let files: string[];
      try {
        files = options.pack
          ? scaffoldLab(resolve(options.pack), slug, options.title, 'lessons').map((file) =>
              join(options.pack!, file),
            )
          : scaffoldLab(context.config.root, slug, options.title);
      } catch (error) {
        if (error instanceof ScaffoldError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      for (const file of files) console.log(`created ${file}`);
      console.log(
        options.pack
          ? `\nNext: \`npm run dev -- ${options.pack}\` to see it as you edit (docs/dev-loop.md), then \`drydock labs verify --pack ${options.pack}\`.`
          : `\nNext: edit the scenario, then \`drydock labs validate\` and \`drydock labs verify ${slug}\` (docs/writing-labs.md).`,
      );
    });
}

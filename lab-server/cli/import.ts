/**
 * `drydock import killercoda <folder>`: a Killercoda scenario as a Drydock lab and
 * lesson, with a report of what could not be mapped (docs/importing-killercoda.md).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadLab, LabFormatError } from '../../lab-format/load.ts';
import { convertScenario, slugOf } from '../import/killercoda/convert.ts';
import { readScenario, ScenarioError } from '../import/killercoda/scenario.ts';
import { formatReport, ImportTargetError, writeImportedLab } from '../import/killercoda/write.ts';
import { SLUG } from '../labs/scaffold.ts';
import type { Context } from './context.ts';
import { CliError, EXIT } from './output.ts';

export function registerImport(program: Command, context: Context): void {
  const imports = program
    .command('import')
    .description('Turn labs written for other platforms into Drydock labs');
  imports
    .command('killercoda')
    .description(
      "Import a Killercoda scenario (its folder with index.json): steps become tasks, verify scripts checks, background scripts the setup, assets files; what cannot be mapped is listed in IMPORT-REPORT.md and in the lab's intro",
    )
    .argument('<folder>', 'the scenario folder, holding index.json')
    .option('--out <labs-dir>', 'where the lab folder goes (default: labs/ of DRYDOCK_ROOT)')
    .option('--lessons <dir>', 'where the lesson goes (default: content/lessons/ of DRYDOCK_ROOT)')
    .option('--slug <slug>', "the lab's folder name (default: from the scenario folder's name)")
    .action((folder: string, options: { out?: string; lessons?: string; slug?: string }) => {
      const source = resolve(folder);
      const slug = options.slug ?? slugOf(source.split(/[\\/]/).filter(Boolean).pop() ?? '');
      if (!SLUG.test(slug))
        throw new CliError(
          `"${slug}" is not a lab slug: use kebab-case, e.g. --slug my-lab`,
          EXIT.usage,
        );
      let written;
      let lab;
      try {
        lab = convertScenario(readScenario(source), slug);
        written = writeImportedLab(lab, {
          labsDir: resolve(options.out ?? resolve(context.config.root, 'labs')),
          lessonsDir: resolve(options.lessons ?? resolve(context.config.root, 'content/lessons')),
          source: folder,
        });
      } catch (error) {
        if (error instanceof ScenarioError || error instanceof ImportTargetError)
          throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      // The importer's own promise: what it writes loads like any lab.
      try {
        loadLab(written.labDir);
      } catch (error) {
        if (error instanceof LabFormatError)
          throw new CliError(
            `the imported lab does not load (a bug in the importer): ${error.message}`,
          );
        throw error;
      }
      console.log(formatReport(lab, folder));
      console.log(
        `wrote ${written.labDir}/ (${written.files.length - 1} files), ${written.lessonFile} and ${written.reportFile}`,
      );
      console.log(
        `\nNext: read the report, then \`drydock labs verify ${slug}\`${options.out ? ' (with DRYDOCK_ROOT at the folder holding that labs/)' : ''}.`,
      );
    });
}

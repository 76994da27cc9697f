/**
 * `drydock images list | build | prune | export | import`: the image commands
 * the labs teach, applied to Drydock's own images (images/*: the sandbox,
 * lab-base and the lab images), whose tags come from their inputs' hash.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureImages } from '../images/builder.ts';
import { exportImages, importImages, listBuilds, pruneBuilds } from '../images/inventory.ts';
import type { Context } from './context.ts';
import {
  CliError,
  EXIT,
  formatAge,
  formatBytes,
  intAtLeast,
  printJson,
  stderrLogger,
  table,
} from './output.ts';

const DEFAULT_ARCHIVE = 'drydock-images.tar.gz';

export function registerImages(program: Command, context: Context): void {
  const images = program
    .command('images')
    .description('List, build, prune, export and import Drydock’s own images');

  /** The recipes to act on: all of them, or those named with --only. */
  const pick = (only: string[] | undefined) => {
    const recipes = context.recipes();
    if (!only?.length) return recipes;
    const unknown = only.filter((slug) => !recipes.some((r) => r.slug === slug));
    if (unknown.length)
      throw new CliError(
        `no image recipe called ${unknown.join(', ')}; recipes: ${recipes.map((r) => r.slug).join(', ')}`,
        EXIT.usage,
      );
    return recipes.filter((r) => only.includes(r.slug));
  };

  images
    .command('list')
    .description(
      'Every build of the platform’s images: current or older, size, age, sandboxes using it',
    )
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }) => {
      const docker = await context.engine();
      const inventory = await listBuilds(docker, context.recipes());
      if (options.json) return printJson(inventory);
      const rows = [
        ...inventory.builds.map((b) => [
          b.slug,
          b.tag,
          b.current ? 'current' : 'older',
          formatBytes(b.sizeBytes),
          formatAge(new Date(b.createdAt)),
          b.usedBy ? `${b.usedBy} container(s)` : '-',
        ]),
        ...inventory.missing.map((m) => [m.slug, m.tag, 'missing', '-', '-', '-']),
      ];
      console.log(table(['RECIPE', 'TAG', 'BUILD', 'SIZE', 'CREATED', 'USED BY'], rows));
      if (inventory.missing.length)
        console.log(
          `\n${inventory.missing.length} image(s) missing: \`drydock images build\` builds them (the server also does at start).`,
        );
    });

  images
    .command('build')
    .description('Build the images whose inputs changed (progress on stderr)')
    .option(
      '--force',
      'rebuild the chosen images even if their current build exists (no layer cache)',
    )
    .option('--only <recipe...>', 'only these recipes (folder names in images/)')
    .action(async (options: { force?: boolean; only?: string[] }) => {
      const docker = await context.engine();
      const recipes = context.recipes();
      const chosen = pick(options.only).map((r) => r.slug);
      // Dependencies of a chosen recipe are ensured too (never forced), so --only lab-base works alone.
      const needed = recipes.filter(
        (r) => chosen.includes(r.slug) || chosen.some((c) => dependsOn(recipes, c, r.slug)),
      );
      const started = Date.now();
      await ensureImages(docker, needed, context.config.stateDir, stderrLogger('info'), {
        build: true,
        ...(options.force ? { force: chosen } : {}),
      });
      console.log(
        `${chosen.length} image(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${needed
          .filter((r) => chosen.includes(r.slug))
          .map((r) => r.tag)
          .join(', ')}`,
      );
    });

  images
    .command('prune')
    .description(
      'Remove older builds of the platform’s images (never one a sandbox uses) and old saved image archives',
    )
    .option('--keep <n>', 'older builds of each image to keep', intAtLeast(0), 0)
    .option('--json', 'print what was removed as JSON')
    .action(async (options: { keep: number; json?: boolean }) => {
      const docker = await context.engine();
      const result = await pruneBuilds(
        docker,
        context.recipes(),
        context.config.stateDir,
        options.keep,
      );
      if (options.json) return printJson(result);
      for (const tag of result.removed) console.log(`removed ${tag}`);
      for (const file of result.removedArchives) console.log(`removed ${file}`);
      for (const kept of result.kept) console.log(`kept    ${kept.tag}: ${kept.why}`);
      console.log(`freed ${formatBytes(result.freedBytes)}`);
    });

  images
    .command('export')
    .description(
      'Save the current build of every image into one archive, for a host without network',
    )
    .argument('[file]', 'the archive to write (gzipped when it ends in .gz)', DEFAULT_ARCHIVE)
    .option('--only <recipe...>', 'only these recipes (folder names in images/)')
    .option('--json', 'print what was exported as JSON')
    .action(async (file: string, options: { only?: string[]; json?: boolean }) => {
      const docker = await context.engine();
      const target = resolve(file);
      const result = await exportImages(docker, pick(options.only), target);
      if (options.json) return printJson({ file: target, ...result });
      console.log(`wrote ${target} (${formatBytes(result.bytes)}): ${result.tags.join(', ')}`);
      console.log(
        'On the other host: `drydock images import <file>`, then `npm start` builds nothing.',
      );
    });

  images
    .command('import')
    .description('Load an archive written by `drydock images export`')
    .argument('[file]', 'the archive to read', DEFAULT_ARCHIVE)
    .option('--json', 'print what was loaded as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const docker = await context.engine();
      const tags = await importImages(docker, resolve(file));
      const { missing } = await listBuilds(docker, context.recipes());
      if (options.json) return printJson({ loaded: tags, missing });
      console.log(`loaded ${tags.length} image(s): ${tags.join(', ')}`);
      if (missing.length)
        console.log(
          `still missing for this checkout: ${missing.map((m) => m.tag).join(', ')} (the archive came from other image inputs, or --only)`,
        );
    });
}

/** Whether recipe `from` builds on `on`, directly or through others. */
function dependsOn(recipes: ReturnType<Context['recipes']>, from: string, on: string): boolean {
  const recipe = recipes.find((r) => r.slug === from);
  return !!recipe?.dependsOn.some((dep) => dep === on || dependsOn(recipes, dep, on));
}

/**
 * `drydock doctor`: everything a host needs for labs, one line per item (ok,
 * warn or fail, and the fix for each fail), and one line per class not over
 * yet: whether this machine can hold it. It works without an engine (then the
 * engine is the first fail) and exits 1 when anything fails.
 */
import type { Command } from 'commander';
import { connect } from '../docker/engine.ts';
import {
  checkCgroups,
  checkDevices,
  checkDisk,
  checkEngine,
  checkImages,
  checkJemalloc,
  checkMemory,
  checkMirror,
  checkMmdebstrap,
  checkProbeSandbox,
  checkSubordinateIds,
  checkUserNamespaces,
  type Finding,
} from './doctor-checks.ts';
import { checkClasses } from './doctor-classes.ts';
import type { Context } from './context.ts';
import { EXIT, printJson, stderrLogger } from './output.ts';

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function formatFinding(f: Finding): string {
  const line = `${MARK[f.status]}  ${f.id.padEnd(20)} ${f.detail}`;
  return f.fix && f.status !== 'ok' ? `${line}\n${' '.repeat(27)}fix: ${f.fix}` : line;
}

export function registerDoctor(program: Command, context: Context): void {
  program
    .command('doctor')
    .description(
      'Check this host for labs: engine, cgroups, user namespaces, devices, memory, disk, room for each upcoming class, image tools, images, a probe sandbox',
    )
    .option('--quick', 'skip the probe sandbox (the only item that starts a container)')
    .option('--json', 'print the findings as JSON')
    .action(async (options: { quick?: boolean; json?: boolean }) => {
      const { config } = context;
      const findings: Finding[] = [];
      const report = (...found: Finding[]) => {
        findings.push(...found);
        if (!options.json) for (const f of found) console.log(formatFinding(f));
      };
      report({
        id: 'node',
        status: 'ok',
        detail: `Node ${process.versions.node} on ${process.arch}; config from the environment (root ${config.root}, profile ${config.sandbox.profile})`,
      });
      const docker = connect(config.engine);
      const engine = await checkEngine(docker, config);
      report(engine.finding);
      report(checkCgroups(config, engine.info));
      report(checkUserNamespaces(config));
      report(checkSubordinateIds(engine.info));
      report(...checkDevices(config));
      report(checkMemory(config, engine.info));
      report(checkJemalloc());
      report(await checkDisk(config, engine.info));
      report(...(await checkClasses(config, engine.info)));

      const recipes = context.recipes();
      const images = engine.info ? await checkImages(docker, config, recipes) : [];
      const missingDebian = recipes
        .filter((r) => r.kind === 'debian')
        .filter(
          (r) =>
            !engine.info || images.some((f) => f.id === `image:${r.slug}` && f.status !== 'ok'),
        )
        .map((r) => r.slug);
      report(checkMmdebstrap(missingDebian));
      report(...(await checkMirror(recipes, missingDebian)));
      if (engine.info) report(...images);

      const sandbox = recipes.find((r) => r.slug === 'sandbox');
      const sandboxReady = images.some((f) => f.id === 'image:sandbox' && f.status === 'ok');
      if (options.quick) {
        report({ id: 'probe', status: 'ok', detail: 'skipped (--quick)' });
      } else if (!engine.info || !sandbox || !sandboxReady) {
        report({
          id: 'probe',
          status: 'warn',
          detail: 'not run: it needs the engine and the sandbox image',
          fix: 'fix the items above, then run doctor again',
        });
      } else {
        if (!options.json) console.error('      (starting a probe sandbox: up to 90 s)');
        const probe = await checkProbeSandbox(docker, config, sandbox.tag, stderrLogger('warn'));
        report(probe);
      }

      const count = (status: Finding['status']) =>
        findings.filter((f) => f.status === status).length;
      if (options.json) printJson({ ok: count('fail') === 0, findings });
      else
        console.log(
          `\n${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failure(s)`,
        );
      if (count('fail') > 0) process.exitCode = EXIT.failed;
    });
}

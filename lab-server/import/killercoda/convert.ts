/**
 * A Killercoda scenario as a Drydock lab and lesson: steps become tasks, each
 * step's `verify` script a check (wrapped, since it says only pass or fail),
 * `background` scripts the setup, host01's assets the lab's files, `{{exec}}`
 * blocks click-to-run blocks, intro and finish the lesson. What has no
 * equivalent in a Drydock sandbox (Debian with its own Docker engine, no network,
 * no systemd, one host) is collected as the report's `unmapped` items, and the
 * lab's intro says so first: an import that looks complete and fails in class is
 * worse than one that says what is missing.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { convertMarkdown } from './markdown.ts';
import { type ScenarioFolder, unknownFields } from './scenario.ts';

/** The lab's files, by path in the lab folder: text, or a file of the scenario to copy. */
export type LabFiles = Record<string, { text: string } | { copy: string }>;

export interface ImportReport {
  /** What became what, one line each. */
  mapped: string[];
  /** What runs differently than on Killercoda, and may need a look. */
  changed: string[];
  /** What could not be mapped: the lab will not work as on Killercoda until someone acts. */
  unmapped: string[];
}

export interface ImportedLab {
  slug: string;
  manifest: Record<string, unknown>;
  files: LabFiles;
  lesson: string;
  report: ImportReport;
}

/** Backends Drydock's sandbox stands in for: one host with Docker (no systemd, no network). */
const DOCKER_HOSTS = /^ubuntu(-\d+GB)?$/;

/** What a sandbox has not, by the commands that need it. */
const NEEDS: [RegExp, string][] = [
  [/\bkubectl\b|\bkubeadm\b|\bhelm\b/, 'a Kubernetes cluster'],
  [
    /\bsystemctl\b|\bjournalctl\b|\bservice\s+\S+\s+(start|stop|restart|status)\b/,
    'systemd (a full VM)',
  ],
  [/\b(apt-get|apt|snap|pip3?|npm)\s+install\b/, 'installing packages from the internet'],
  [/\b(curl|wget)\b[^\n]*https?:\/\/(?!localhost|127\.0\.0\.1)/, 'the internet'],
  [/\bdocker\s+(pull|login|push)\b/, 'a container registry'],
  [/\bssh\s+\S*node\d*|\bhost0[2-9]\b|\bnode01\b/, 'a second host'],
];

export const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'imported-lab';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The check for one step: the verify script, unchanged, inside a wrapper that words the verdict. */
function checkScript(title: string, n: number, source: string, verify: string): string {
  return `# Task "${title}": the Killercoda scenario's verify script for step ${n} (${source}),
# unchanged between the markers. It says only pass (exit 0) or fail, so this
# wrapper tells the learner which step it judged and what the script printed.
verify_script=$(cat <<'KILLERCODA_VERIFY'
${verify.replace(/\n+$/, '')}
KILLERCODA_VERIFY
)
if output=$(bash -c "$verify_script" 2>&1); then
  pass "Step ${n} is done: the scenario's own check for \\"${title.replace(/["\\$`]/g, '')}\\" passes."
else
  status=$?
fi
fail "Not done yet: the scenario's own check for \\"${title.replace(/["\\$`]/g, '')}\\" fails (exit $status)." \\
  "It says only pass or fail; go through the step's instructions again.\${output:+ It printed: $(tail -n 3 <<< "$output")}"
`;
}

/** host01's assets: those under /root go to files/ (the workdir is /root), others through setup. */
function mapAssets(
  folder: ScenarioFolder,
  files: LabFiles,
  report: ImportReport,
): { setupLines: string[] } {
  const setupLines: string[] = [];
  const assets = folder.scenario.details.assets ?? {};
  const assetsDir = join(folder.dir, 'assets');
  for (const [host, list] of Object.entries(assets)) {
    if (host !== 'host01') {
      report.unmapped.push(
        `${list.length} asset(s) for ${host}: a Drydock sandbox is one host (host01); they were not copied.`,
      );
      continue;
    }
    for (const asset of list) {
      const matches = matchAssets(assetsDir, asset.file);
      if (matches.length === 0) {
        report.unmapped.push(`asset "${asset.file}" matches no file in assets/.`);
        continue;
      }
      const target = posix.normalize(asset.target);
      const staged = target === '/root' || target.startsWith('/root/');
      const writable = /^\/(tmp|srv|opt|usr\/local|etc)(\/|$)/.test(target);
      if (!staged && !writable) {
        report.unmapped.push(
          `asset "${asset.file}" → ${target}: outside the places a sandbox may write (/root, /tmp, /srv, /opt, /usr/local, /etc); not copied.`,
        );
        continue;
      }
      for (const match of matches) {
        for (const file of walk(join(assetsDir, match))) {
          const rel = posix.join(
            match,
            relative(join(assetsDir, match), file).split('\\').join('/'),
          );
          const inRoot = staged ? posix.relative('/root', posix.join(target, rel)) : undefined;
          const dest = inRoot ?? posix.join('.killercoda-assets', target.slice(1), rel);
          files[`files/${dest}`] = { copy: file };
        }
        const placed = posix.join(target, match);
        if (!staged)
          setupLines.push(
            `mkdir -p ${quote(target)} && cp -a ${quote(posix.join('/root/.killercoda-assets', target.slice(1), match))} ${quote(target)}/`,
          );
        if (asset.chmod) setupLines.push(`chmod -R ${quote(asset.chmod)} ${quote(placed)}`);
      }
      report.mapped.push(
        `asset "${asset.file}" → ${target}${staged ? ' (files/, copied with the lab)' : ' (copied into place by setup.sh)'}${asset.chmod ? `, chmod ${asset.chmod}` : ''}`,
      );
    }
  }
  if (setupLines.some((l) => l.includes('.killercoda-assets')))
    setupLines.push('rm -rf /root/.killercoda-assets');
  return { setupLines };
}

function matchAssets(dir: string, pattern: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  if (!/[*?]/.test(pattern)) return names.includes(pattern.split('/')[0]!) ? [pattern] : [];
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return names.filter((name) => regex.test(name)).sort();
}

function walk(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => walk(join(path, name)));
}

export function convertScenario(folder: ScenarioFolder, slug: string): ImportedLab {
  const { scenario } = folder;
  const { details } = scenario;
  const report: ImportReport = { mapped: [], changed: [], unmapped: [] };
  const files: LabFiles = {};
  const imageid = scenario.backend?.imageid ?? 'ubuntu';
  if (imageid.startsWith('kubernetes'))
    report.unmapped.push(
      `backend "${imageid}" is a Kubernetes cluster${/2nodes|nodes/.test(imageid) ? ' of several hosts' : ''}: a Drydock sandbox is one Debian host with a Docker engine. The steps that use kubectl cannot pass.`,
    );
  else if (!DOCKER_HOSTS.test(imageid))
    report.unmapped.push(
      `backend "${imageid}" is not one Drydock knows: the sandbox is Debian with a Docker engine, which may not be what the scenario expects.`,
    );
  else
    report.mapped.push(
      `backend "${imageid}" → a Drydock sandbox (Debian with its own Docker engine and Compose; no systemd, no network, nothing to pull)`,
    );
  for (const field of unknownFields(folder.raw))
    report.unmapped.push(`index.json field ${field}: Drydock has no equivalent; ignored.`);

  const missing = (what: string, file: string | undefined) => {
    if (file && folder.read(file) === undefined)
      report.unmapped.push(`${what} names ${file}, which is not in the scenario's folder.`);
  };

  // Setup: the intro's background, then every step's (Killercoda runs a step's
  // when the learner reaches it; a Drydock lab sets up once, before the prompt).
  const { setupLines } = mapAssets(folder, files, report);
  const setup: string[] = [
    `# Setup, imported from the Killercoda scenario "${scenario.title.replace(/\n/g, ' ')}".`,
    ...(setupLines.length
      ? ['# Assets outside /root, put where the scenario puts them.', ...setupLines]
      : []),
  ];
  const background = (what: string, file: string | undefined) => {
    missing(`${what}'s background`, file);
    const text = folder.read(file);
    if (text === undefined) return;
    setup.push(
      `# --- ${what}: ${file} (Killercoda's background script) ---`,
      '(',
      text.replace(/\n+$/, ''),
      ')',
    );
    report.mapped.push(`${what}'s background ${file} → setup.sh`);
  };
  const foreground = (what: string, file: string | undefined) => {
    missing(`${what}'s foreground`, file);
    const text = folder.read(file);
    if (text === undefined) return;
    files[`killercoda/${file}`] = { text };
    report.changed.push(
      `${what}'s foreground script ${file} ran in the learner's terminal on Killercoda; Drydock starts a plain shell. Kept as killercoda/${file} for reference, not run.`,
    );
  };
  background('intro', details.intro?.background);
  foreground('intro', details.intro?.foreground);

  const intro = convertMarkdown(folder.read(details.intro?.text) ?? '', 'intro');
  missing('intro', details.intro?.text);
  const notes = [...intro.notes];
  const tasks: Record<string, unknown>[] = [];
  const solve: string[] = [
    '# Solve: the commands of every step that Killercoda ran on a click, in order.',
    '# Killercoda scenarios have no solution script; review this one.',
    'set -euo pipefail',
  ];
  const ids = new Set<string>();
  details.steps.forEach((step, i) => {
    const n = i + 1;
    const title = (step.title ?? `Step ${n}`).trim();
    let id = slugOf(title).slice(0, 48).replace(/-+$/, '') || `step-${n}`;
    if (ids.has(id)) id = `${id}-${n}`;
    ids.add(id);
    missing(`step ${n}`, step.text);
    const text = convertMarkdown(folder.read(step.text) ?? '', `step ${n}`);
    notes.push(...text.notes);
    if (step.background && n > 1)
      report.changed.push(
        `step ${n}'s background ${step.background} runs at the start with the rest of setup, not when the learner reaches step ${n}.`,
      );
    background(`step ${n}`, step.background);
    foreground(`step ${n}`, step.foreground);
    for (const command of text.commands) {
      if (command.interrupt) solve.push('# (Killercoda pressed Ctrl-C before this one)');
      solve.push(command.code);
    }
    const check = `checks/${id}.sh`;
    const verify = folder.read(step.verify);
    missing(`step ${n}'s verify`, step.verify);
    if (verify !== undefined) {
      files[check] = { text: checkScript(title, n, step.verify!, verify) };
      report.mapped.push(`step ${n} "${title}" → task ${id}; its verify ${step.verify} → ${check}`);
    } else {
      files[check] = {
        text: `# Task "${title}": step ${n} of the Killercoda scenario has no verify script, so nothing can judge it.\nfail "This step was imported without a check: nothing here can tell whether it is done."\n`,
      };
      report.unmapped.push(
        `step ${n} "${title}" has no verify script: its task ${id} always fails until someone writes ${check}.`,
      );
    }
    tasks.push({
      id,
      title: title.length >= 3 ? title.slice(0, 120) : `Step ${n}: ${title}`,
      instructions: text.markdown || `Step ${n} of the scenario.`,
      check,
      solution:
        text.commands.length > 0
          ? `The commands of this step:\n\n\`\`\`sh\n${text.commands.map((c) => c.code).join('\n')}\n\`\`\``
          : 'The imported scenario has no solution for this step: follow its instructions.',
    });
  });
  if (tasks.length === 0) {
    report.unmapped.push('the scenario has no steps: the lab has one task that always fails.');
    files['checks/no-steps.sh'] = { text: 'fail "The imported scenario had no steps to check."\n' };
    tasks.push({
      id: 'no-steps',
      title: 'The scenario has no steps',
      instructions: 'The imported scenario had no steps.',
      check: 'checks/no-steps.sh',
      solution: 'None: the scenario had no steps.',
    });
  }
  if (details.finish?.background || details.finish?.foreground)
    report.unmapped.push(
      "the finish page's scripts ran when the learner finished; a Drydock lab has no such moment. Not run.",
    );
  missing('finish', details.finish?.text);
  const finish = convertMarkdown(folder.read(details.finish?.text) ?? '', 'finish');
  notes.push(...finish.notes);
  report.changed.push(...notes);

  // Everything checks would flag in the scripts is worth a line too.
  const scripts = Object.entries(files)
    .filter(([path]) => path.endsWith('.sh'))
    .map(([, f]) => ('text' in f ? f.text : ''))
    .concat(setup);
  for (const [pattern, need] of NEEDS)
    if (scripts.some((s) => pattern.test(s)))
      report.unmapped.push(`a script needs ${need}, which a Drydock sandbox does not have.`);

  setup.push('true');
  files['setup.sh'] = { text: `${setup.join('\n')}\n` };
  files['solve.sh'] = { text: `${solve.join('\n')}\n` };
  report.changed.push(
    "solve.sh runs the steps' click-to-run commands in order (Killercoda has no solution script): run `drydock labs verify` to see whether that solves the lab.",
    "the lab has no wrong fixes: Drydock's own labs have at least four (docs/writing-labs.md).",
    "nothing can be pulled in a sandbox: its engine holds drydock/lab-base (busybox) only; images the scenario runs must be built from it, or added to images/ and to the manifest's images.",
  );

  const warning = report.unmapped.length
    ? `> **Imported from Killercoda, not everything came across.** ${report.unmapped.length} part(s) of the original scenario have no equivalent in this sandbox (see IMPORT-REPORT.md beside the lab): ${report.unmapped[0]}${report.unmapped.length > 1 ? ' …' : ''} Some tasks may not be possible here.\n\n`
    : '';
  const description = (scenario.description ?? '').trim();
  const manifest: Record<string, unknown> = {
    title: scenario.title.trim().slice(0, 120).padEnd(3, '.'),
    summary: (description || `Imported from the Killercoda scenario "${scenario.title.trim()}".`)
      .slice(0, 400)
      .padEnd(10, '.'),
    difficulty: 'beginner',
    minutes: Math.min(240, Math.max(5, tasks.length * 5)),
    lessons: [`lessons/${slug}`],
    images: ['lab-base'],
    workdir: '/root',
    intro: `${warning}${intro.markdown || description || scenario.title}`.trim(),
    tasks,
  };
  const lesson = `---
title: ${JSON.stringify(scenario.title.trim())}
description: ${JSON.stringify(description || `Imported from the Killercoda scenario "${scenario.title.trim()}".`)}
lab: ${slug}
---

${intro.markdown.replace(/```sh run( interrupt)?/g, '```sh') || description}

${finish.markdown ? `## When you are done\n\n${finish.markdown.replace(/```sh run( interrupt)?/g, '```sh')}\n` : ''}`;
  return { slug, manifest, files, lesson, report };
}

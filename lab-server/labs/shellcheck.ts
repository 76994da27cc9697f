/**
 * Lab scripts through ShellCheck (Debian's `shellcheck` package), the way the lab
 * runner runs them: bash, with the lab's `lib.sh` in front (sessions/lab-runner.ts
 * prepends it), so a variable a script uses from lib.sh is no "unassigned"
 * finding and one lib.sh sets for some scripts is no "unused" one. Findings are
 * reported against the file and line the author wrote.
 *
 * What is linted: every `*.sh` of a lab outside its `files/` (setup, prepare,
 * solve, checks, fixes, lib.sh) and the shared helpers in `labs/_lib/`. The
 * shared helpers are linted on their own, not in front of every script: they hold
 * functions only (nothing runs on load), so in front of a script they would tell
 * ShellCheck next to nothing, at three times the time. The one thing lost: a
 * global a helper function sets (`archive_work`) is "unassigned" in a script, and
 * the script says where it comes from with a `# shellcheck disable=SC2154`.
 * Scenario files (`files/`) are not linted: they are the learner's broken project,
 * often run by busybox's sh in a container, and their bytes are part of the lab.
 *
 * `# shellcheck disable=…` directives work on the command that follows them; one
 * at the top of a script is not file-wide here (lib.sh comes before it).
 */
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHELLCHECK = 'shellcheck';
export const INSTALL_HINT =
  "install it from Debian's packages: `apt-get install shellcheck` (`npm test` and `drydock labs verify` install it when run as root)";

export interface Finding {
  /** Relative to the root given to the linter, e.g. `labs/my-lab/checks/web-runs.sh`. */
  file: string;
  line: number;
  column: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

export const formatFinding = (f: Finding): string =>
  `${f.file}:${f.line}:${f.column}: ${f.level} SC${f.code}: ${f.message}`;

export class ShellcheckMissing extends Error {
  constructor() {
    super(`shellcheck is not installed: ${INSTALL_HINT}`);
    this.name = 'ShellcheckMissing';
  }
}

/**
 * Findings about whether something is used or reachable depend on the script a
 * lib.sh line is read with: a variable lib.sh sets only for the checks is "unused"
 * beside setup.sh. In lib.sh such a finding counts only if every script of the lab
 * agrees (then it is really unused, unassigned or unreachable); every other
 * finding in lib.sh counts once.
 */
const CONTEXT_DEPENDENT = new Set([2034, 2154, 2317]);

interface Json1 {
  comments: {
    file: string;
    line: number;
    column: number;
    level: Finding['level'];
    code: number;
    message: string;
  }[];
}

/**
 * ShellCheck's settings for lab scripts (which codes are off, and why). The linter
 * lints copies in a folder of its own and puts this file beside them, so the
 * result does not depend on where it runs; editors find it in labs/.
 */
export const SHELLCHECK_RC = fileURLToPath(new URL('../../labs/.shellcheckrc', import.meta.url));

/** Runs shellcheck on `files`, which lie in a folder holding SHELLCHECK_RC. */
function shellcheck(program: string, files: string[]): Promise<Json1['comments']> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      ['--shell=bash', '--format=json1', '--', ...files],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        // Exit 1 means "found something": the JSON says what.
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(new ShellcheckMissing());
        if (error && typeof error.code === 'number' && error.code > 1)
          return reject(new Error(`shellcheck failed: ${error.message}`));
        try {
          resolve((JSON.parse(stdout) as Json1).comments);
        } catch {
          reject(new Error(`shellcheck wrote no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}

/** The shell scripts of one lab folder, outside `files/`, relative to it, sorted. */
export function labScripts(labDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(labDir, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && path !== 'files' && !entry.name.startsWith('.')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.sh')) found.push(path);
    }
  };
  walk('');
  return found.sort();
}

const key = (f: Finding) => `${f.file}\0${f.line}\0${f.column}\0${f.code}`;

/** One lab's findings: each script with the lab's lib.sh in front, as the runner runs it. */
async function lintLab(
  program: string,
  root: string,
  labDir: string,
  work: string,
): Promise<Finding[]> {
  const scripts = labScripts(labDir).filter((path) => path !== 'lib.sh');
  const libFile = join(labDir, 'lib.sh');
  const lib = existsSync(libFile) ? readFileSync(libFile, 'utf8') : undefined;
  const shown = (path: string) => relative(root, join(labDir, path));
  if (scripts.length === 0) return [];
  mkdirSync(work);
  // The runner joins the files with "\n": a script's first line follows lib.sh's last.
  const libLines = lib === undefined ? 0 : lib.split('\n').length;
  const copies = scripts.map((script, i) => {
    const copy = join(work, `${i}.sh`);
    const text = readFileSync(join(labDir, script), 'utf8');
    writeFileSync(copy, lib === undefined ? text : `${lib}\n${text}`);
    return copy;
  });
  const comments = await shellcheck(program, copies);
  const findings: Finding[] = [];
  const inLib = new Map<string, { finding: Finding; scripts: Set<string> }>();
  for (const comment of comments) {
    const script = scripts[copies.indexOf(comment.file)]!;
    const fromLib = comment.line <= libLines;
    const finding: Finding = {
      file: shown(fromLib ? 'lib.sh' : script),
      line: fromLib ? comment.line : comment.line - libLines,
      column: comment.column,
      level: comment.level,
      code: comment.code,
      message: comment.message,
    };
    if (!fromLib) findings.push(finding);
    else {
      const seen = inLib.get(key(finding)) ?? { finding, scripts: new Set<string>() };
      seen.scripts.add(script);
      inLib.set(key(finding), seen);
    }
  }
  for (const { finding, scripts: where } of inLib.values())
    if (!CONTEXT_DEPENDENT.has(finding.code) || where.size === scripts.length)
      findings.push(finding);
  return findings;
}

/**
 * Every finding in the labs named (all of `labs/` when `slugs` is not given) and in
 * `labs/_lib/`, sorted by file and line. Rejects with ShellcheckMissing when
 * shellcheck is not installed: a lint that cannot run must not pass.
 */
export async function lintLabScripts(
  root: string,
  options: {
    slugs?: string[];
    program?: string;
    /** A content pack's `labs/` (files are then named from `root`, the pack's folder). */
    labsDir?: string;
    /** The helpers its labs run with, when not `labs/_lib` beside them (a pack without its own). */
    libDir?: string;
  } = {},
): Promise<Finding[]> {
  const program = options.program ?? SHELLCHECK;
  const slugs = options.slugs;
  const labsDir = options.labsDir ?? join(root, 'labs');
  const names =
    slugs ??
    readdirSync(labsDir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.') && !e.name.startsWith('_'))
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name);
  const work = mkdtempSync(join(tmpdir(), 'drydock-shellcheck-'));
  try {
    copyFileSync(SHELLCHECK_RC, join(work, '.shellcheckrc'));
    const findings: Finding[] = [];
    const shared = options.libDir ?? join(labsDir, '_lib');
    mkdirSync(join(work, '_lib'));
    const copies = new Map<string, string>();
    for (const name of existsSync(shared) ? readdirSync(shared) : [])
      if (name.endsWith('.sh')) {
        copies.set(join(work, '_lib', name), join(shared, name));
        copyFileSync(join(shared, name), join(work, '_lib', name));
      }
    const helpers = [...copies.keys()];
    // Two at a time: ShellCheck is single-threaded and CI has two cores.
    const jobs: (() => Promise<Finding[]>)[] = [
      ...(helpers.length
        ? [
            async () =>
              (await shellcheck(program, helpers)).map(({ file, ...rest }) => ({
                file: relative(root, copies.get(file) ?? file),
                ...rest,
              })),
          ]
        : []),
      ...names.map(
        (slug, i) => () => lintLab(program, root, join(labsDir, slug), join(work, `${i}`)),
      ),
    ];
    const queue = jobs.values();
    const worker = async () => {
      for (const job of queue) findings.push(...(await job()));
    };
    await Promise.all([worker(), worker()]);
    return findings.sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

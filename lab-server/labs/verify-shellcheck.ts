/**
 * The ShellCheck step of `drydock labs verify`: one result per lab, in the shape
 * of the contract's steps, so that text and JSON output show it beside them. No
 * sandbox needed; a lab with findings, or a machine without shellcheck, fails it.
 */
import { dirname } from 'node:path';
import type { Lab } from '../../lab-format/load.ts';
import { type Finding, formatFinding, lintLabScripts, ShellcheckMissing } from './shellcheck.ts';
import type { ContractResult } from './verify.ts';

/** Lints each lab with the helpers it runs with; a content pack's files are named from the pack's folder. */
async function lint(labs: readonly Lab[]): Promise<Finding[]> {
  const groups = new Map<string, Lab[]>();
  for (const lab of labs) {
    const key = `${dirname(lab.dir)}\0${lab.libDir}`;
    groups.set(key, [...(groups.get(key) ?? []), lab]);
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const labsDir = dirname(group[0]!.dir);
    findings.push(
      ...(await lintLabScripts(dirname(labsDir), {
        slugs: group.map((lab) => lab.slug),
        labsDir,
        libDir: group[0]!.libDir,
      })),
    );
  }
  return findings;
}

export async function verifyShellcheck(labs: readonly Lab[]): Promise<ContractResult[]> {
  const slugs = labs.map((lab) => lab.slug);
  const started = Date.now();
  const result = (slug: string, problem?: string): ContractResult => ({
    slug,
    kind: 'shellcheck',
    step: 'shellcheck',
    passed: problem === undefined,
    ...(problem === undefined ? {} : { problem }),
    seconds: (Date.now() - started) / 1000,
    timings: [],
    summary: '',
    warnings: [],
  });
  let findings;
  try {
    findings = await lint(labs);
  } catch (error) {
    if (!(error instanceof ShellcheckMissing)) throw error;
    return slugs.map((slug) => result(slug, error.message));
  }
  return slugs.map((slug) => {
    const own = findings.filter(
      (f) => f.file.startsWith(`labs/${slug}/`) || f.file.includes('labs/_lib/'),
    );
    return result(
      slug,
      own.length
        ? `ShellCheck found ${own.length} problem(s) (fix them, or put \`# shellcheck disable=SCxxxx # why\` on the line before):\n${own.map(formatFinding).join('\n')}`
        : undefined,
    );
  });
}

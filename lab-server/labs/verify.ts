/**
 * The lab contract, run in real sandboxes: after setup every task's check fails
 * (and says why); after the solve script every check passes; after each wrong-fix
 * script at least one check still fails. `drydock labs verify` and the lab
 * contract test both run this; it reports progress through a callback and
 * returns results instead of throwing, so either can present them its own way.
 */
import type { Lab } from '../../lab-format/load.ts';
import type { LabWrongFix } from '../../lab-format/schema.ts';
import type { CheckResult } from '../sessions/lab-runner.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';

/** A solve or wrong-fix script may take this long (builds inside the sandbox are slow on a busy host). */
export const SCRIPT_TIMEOUT_MS = 300_000;

export type Progress = (line: string) => void;

export interface ContractResult {
  slug: string;
  /** `solve`, or the wrong-fix script's path. */
  step: string;
  passed: boolean;
  /** Why the step broke the contract (set when `passed` is false). */
  problem?: string;
  seconds: number;
  /** Phase timings, e.g. "setup 12.3 s". */
  timings: string[];
  /** One line per task: the checks after setup (solve) or after the wrong fix. */
  summary: string;
  /** Things that did not break the contract but should be looked at (a retried setup). */
  warnings: string[];
}

export const summarize = (results: CheckResult[]): string =>
  results
    .map((r) => `  ${r.passed ? 'PASS' : 'FAIL'} ${r.task}: ${r.output.split('\n')[0]}`)
    .join('\n');

const since = (start: number) => ((Date.now() - start) / 1000).toFixed(1);

class Broken extends Error {}

/** Runs `body` in a fresh, ready session of `lab`; the sandbox is removed afterwards whatever happens. */
async function inSession(
  sessions: SessionManager,
  lab: Lab,
  step: string,
  body: (session: Session, result: ContractResult) => Promise<void>,
): Promise<ContractResult> {
  const started = Date.now();
  const result: ContractResult = {
    slug: lab.slug,
    step,
    passed: true,
    seconds: 0,
    timings: [],
    summary: '',
    warnings: [],
  };
  const session = sessions.create(lab);
  try {
    await session.provisioned;
    if (session.state !== 'ready')
      throw new Broken(`setup failed twice: ${session.failure ?? session.message}`);
    // The platform retries a failed start once; a lab that needed it is flaky and says so.
    if (session.attempts > 1)
      result.warnings.push(
        `${lab.slug} needed ${session.attempts} attempts to start (flaky setup?)`,
      );
    result.timings.push(`setup ${since(started)} s`);
    await body(session, result);
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    result.passed = false;
    result.problem = error.message;
  } finally {
    await sessions.end(session, 'stopped');
    result.seconds = (Date.now() - started) / 1000;
  }
  return result;
}

/** Checks fail (each with a reason) after setup, the solve script succeeds, then every check passes. */
export function verifySolve(
  sessions: SessionManager,
  lab: Lab,
  progress: Progress = () => {},
): Promise<ContractResult> {
  return inSession(sessions, lab, 'solve', async (session, result) => {
    const runner = session.runner!;
    const broken = await runner.check();
    result.summary = summarize(broken);
    progress(`${lab.slug}: set up; every check must fail`);
    for (const check of broken) {
      if (check.passed)
        throw new Broken(`check "${check.task}" passes on the broken scenario:\n${result.summary}`);
      if (check.output.trim().length === 0)
        throw new Broken(`check "${check.task}" fails without saying why`);
    }
    let mark = Date.now();
    const solved = await runner.run(lab.manifest.solve, SCRIPT_TIMEOUT_MS);
    if (solved.exitCode !== 0)
      throw new Broken(`${lab.manifest.solve} failed:\n${solved.output.slice(-2000)}`);
    result.timings.push(`solve ${since(mark)} s`);
    progress(`${lab.slug}: ${lab.manifest.solve} ran; every check must pass`);
    mark = Date.now();
    const fixed = await runner.check();
    result.timings.push(`checks ${since(mark)} s`);
    if (!fixed.every((r) => r.passed))
      throw new Broken(`checks still fail after ${lab.manifest.solve}:\n${summarize(fixed)}`);
  });
}

/** The wrong fix runs to completion (exit 0), and at least one check still fails after it. */
export function verifyWrongFix(
  sessions: SessionManager,
  lab: Lab,
  fix: LabWrongFix,
  progress: Progress = () => {},
): Promise<ContractResult> {
  return inSession(sessions, lab, fix.script, async (session, result) => {
    const runner = session.runner!;
    const ran = await runner.run(fix.script, SCRIPT_TIMEOUT_MS);
    // The wrong fix must really have been carried out, or a failing check proves nothing.
    if (ran.exitCode !== 0)
      throw new Broken(
        `${fix.script} itself failed (exit ${ran.exitCode}):\n${ran.output.slice(-2000)}`,
      );
    progress(`${lab.slug}: ${fix.script} ran; a check must still fail`);
    const results = await runner.check();
    result.summary = summarize(results);
    if (results.every((r) => r.passed))
      throw new Broken(
        `every check passes after the wrong fix ${fix.script} (${fix.why}):\n${result.summary}`,
      );
  });
}

/** The whole contract of one lab: the solve step and every wrong fix, `parallel` sessions at a time. */
export async function verifyLab(
  sessions: SessionManager,
  lab: Lab,
  options: { parallel?: number; progress?: Progress } = {},
): Promise<ContractResult[]> {
  const progress = options.progress ?? (() => {});
  const steps: (() => Promise<ContractResult>)[] = [
    () => verifySolve(sessions, lab, progress),
    ...lab.manifest.wrongFixes.map((fix) => () => verifyWrongFix(sessions, lab, fix, progress)),
  ];
  const results: ContractResult[] = [];
  const queue = steps.entries();
  const worker = async () => {
    for (const [i, step] of queue) {
      const result = await step();
      results[i] = result;
      progress(
        `${lab.slug} / ${result.step}: ${result.passed ? 'ok' : 'BROKEN'} in ${result.seconds.toFixed(1)} s (${result.timings.join(', ')})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return results;
}

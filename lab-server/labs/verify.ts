/**
 * The lab contract, run in real sandboxes: after setup every task's check fails
 * (and says why); after the solve script, and after each right-fix script (a
 * sound fix that differs from it), every check passes and says what it verified;
 * after each wrong-fix script the task named by `caughtBy` fails with a message
 * containing `says`. Every verdict is asked for twice, a few seconds apart,
 * because a learner may press Check at any moment. `drydock labs verify` and the
 * lab contract test both run this; it reports progress through a callback and
 * returns results instead of throwing, so either can present them its own way.
 */
import type { Lab } from '../../lab-format/load.ts';
import type { LabRightFix, LabWrongFix } from '../../lab-format/schema.ts';
import type { CheckResult } from '../sessions/lab-runner.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Session } from '../sessions/session.ts';

/** A solve or wrong-fix script may take this long (builds inside the sandbox are slow on a busy host). */
export const SCRIPT_TIMEOUT_MS = 300_000;
/**
 * The second Check comes this long after the first: a verdict must not depend on
 * when the learner presses it (a container between two crashes, a health check
 * still in its start period, a clock compared with a start time).
 */
export const RECHECK_DELAY_MS = 3000;
/**
 * A sandbox left alone (the learner reading, or gone for lunch) may use this
 * share of one core, measured after setup and after the solve script. A class of
 * 40 idle sandboxes must not fill a 2-core machine; a lab that teaches a crash
 * loop keeps the lesson through Docker's restart backoff, not by burning a core.
 */
export const IDLE_CPU_BUDGET = 0.05;
/** Idle is measured after the sandbox settled this long (a crash loop's first fast restarts)… */
export const IDLE_SETTLE_MS = 15_000;
/** …over this window. */
export const IDLE_WINDOW_MS = 10_000;

export type Progress = (line: string) => void;

/** `shellcheck`: the lab's scripts through ShellCheck (labs/verify-shellcheck.ts), no sandbox. */
export type StepKind = 'solve' | 'right-fix' | 'wrong-fix' | 'shellcheck';

export interface ContractResult {
  slug: string;
  kind: StepKind;
  /** `solve`, or the right- or wrong-fix script's path. */
  step: string;
  passed: boolean;
  /** Why the step broke the contract (set when `passed` is false). */
  problem?: string;
  seconds: number;
  /** Phase timings, e.g. "setup 12.3 s". */
  timings: string[];
  /** One line per task: the last checks run. */
  summary: string;
  /** Things that did not break the contract but should be looked at (a retried setup). */
  warnings: string[];
  /** The solve step's idle CPU (share of one core) after setup and after the solve script. */
  idle?: { afterSetup: number; afterSolve: number };
}

export const summarize = (results: CheckResult[]): string =>
  results
    .map((r) => `  ${r.passed ? 'PASS' : 'FAIL'} ${r.task}: ${r.output.split('\n')[0]}`)
    .join('\n');

const since = (start: number) => ((Date.now() - start) / 1000).toFixed(1);

class Broken extends Error {}

/** bash's own complaint about a script ("x.sh: line 12: [: : integer expression expected"). */
const SHELL_ERROR = /^\S+: line \d+: .*$/m;

/** A check whose output carries a shell error judged by accident, whatever its verdict. */
function shellErrors(results: CheckResult[]): void {
  for (const r of results) {
    const error = SHELL_ERROR.exec(r.output);
    if (error)
      throw new Broken(
        `check "${r.task}" ${r.passed ? 'passes' : 'fails'} with a shell error in its message: ${error[0]}`,
      );
  }
}

/** Runs `body` in a fresh, ready session of `lab`; the sandbox is removed afterwards whatever happens. */
async function inSession(
  sessions: SessionManager,
  lab: Lab,
  kind: StepKind,
  step: string,
  body: (session: Session, result: ContractResult) => Promise<void>,
): Promise<ContractResult> {
  const started = Date.now();
  const result: ContractResult = {
    slug: lab.slug,
    kind,
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a fix script to completion; a script that fails proves nothing about the checks. */
async function runScript(
  session: Session,
  script: string,
  result: ContractResult,
  args: readonly string[] = [],
): Promise<void> {
  const mark = Date.now();
  const ran = await session.runner!.run(script, SCRIPT_TIMEOUT_MS, 'shell', args);
  const shown = [script, ...args].join(' ');
  if (ran.exitCode !== 0)
    throw new Broken(`${shown} itself failed (exit ${ran.exitCode}):\n${ran.output.slice(-2000)}`);
  result.timings.push(`${[script.replace(/^.*\//, ''), ...args].join(' ')} ${since(mark)} s`);
}

/** Every check passes, says what it verified, and still passes when Check is pressed again later. */
async function expectAllPass(session: Session, script: string, result: ContractResult) {
  const mark = Date.now();
  for (const round of ['', ' when Check is pressed again']) {
    if (round) await pause(RECHECK_DELAY_MS);
    const checks = await session.runner!.check();
    result.summary = summarize(checks);
    shellErrors(checks);
    if (!checks.every((r) => r.passed))
      throw new Broken(`checks fail after ${script}${round}:\n${result.summary}`);
    const silent = checks.find((r) => r.output.trim().length === 0);
    if (silent) throw new Broken(`check "${silent.task}" passes without saying what it verified`);
  }
  result.timings.push(`checks ${since(mark)} s`);
}

/** Restarts so far of every container in the sandbox's engine (Docker counts them per container). */
async function restarts(session: Session): Promise<number> {
  const run = await session.sandbox!.exec(
    [
      'sh',
      '-c',
      'ids=$(docker ps -aq); [ -z "$ids" ] || docker inspect -f "{{.RestartCount}}" $ids',
    ],
    { as: 'check', timeoutMs: 10_000 },
  );
  return run.output
    .split('\n')
    .map(Number)
    .filter(Number.isFinite)
    .reduce((sum, n) => sum + n, 0);
}

/** Resolves after the next container restart in the sandbox, or after `limitMs`. */
async function nextRestart(session: Session, limitMs: number): Promise<void> {
  const from = await restarts(session);
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline && (await restarts(session)) === from) await pause(1000);
}

/** Docker's restart delay doubles from 0.1 s to a minute: after the restart that follows
 * the first window, the next one is at least this far away, longer than a window. */
const CRASH_LOOP_WAIT_MS = 70_000;
/** A restarted program's own start-up (a crash loop's process runs, then fails). */
const AFTER_RESTART_MS = 3000;

/** The share of one core the sandbox uses while nobody does anything in it; over budget is a broken contract. */
async function idleCpu(session: Session, when: string, result: ContractResult): Promise<number> {
  const mark = Date.now();
  await pause(IDLE_SETTLE_MS);
  const sandbox = session.sandbox!;
  const window = async () => {
    // The restart counts are read outside the measured span: docker inspect costs CPU too.
    const restartsBefore = await restarts(session);
    const before = await sandbox.cpuSeconds();
    const start = Date.now();
    await pause(IDLE_WINDOW_MS);
    const share = ((await sandbox.cpuSeconds()) - before) / ((Date.now() - start) / 1000);
    return { share, restarted: (await restarts(session)) > restartsBefore };
  };
  let measured = await window();
  let how = 'twice';
  if (measured.share > IDLE_CPU_BUDGET && measured.restarted) {
    // A crash loop slows down through Docker's restart backoff, but in its first
    // minute one restart inside a window costs more than the budget. The steady
    // state is what a class pays for: measure right after a restart, when the
    // backoff keeps the next one further away than a window.
    await nextRestart(session, CRASH_LOOP_WAIT_MS);
    await pause(AFTER_RESTART_MS);
    measured = await window();
    how = 'again between two restarts of a crash loop';
  } else if (measured.share > IDLE_CPU_BUDGET) {
    measured = await window();
  }
  result.timings.push(`idle ${when} ${since(mark)} s`);
  if (measured.share > IDLE_CPU_BUDGET)
    throw new Broken(
      `the sandbox uses ${percent(measured.share)} of a core while idle ${when} (budget ${percent(IDLE_CPU_BUDGET)}): a container restarting without backoff, a tight health check interval or a busy loop? ` +
        `Measured ${IDLE_SETTLE_MS / 1000} s after ${when.replace('after ', '')}, over ${IDLE_WINDOW_MS / 1000} s, then ${how}.`,
    );
  return measured.share;
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** A task id no lab has: a solve script must refuse it rather than take it for "every task". */
export const UNKNOWN_TASK = 'no-such-task-in-this-lab';

/** `solve.sh <id>` for an id the lab lacks fails and says so: "skip" must never apply every task. */
async function refusesUnknownTask(session: Session, lab: Lab): Promise<void> {
  const solve = lab.manifest.solve;
  const refused = await session.runner!.run(solve, SCRIPT_TIMEOUT_MS, 'shell', [UNKNOWN_TASK]);
  if (refused.exitCode === 0)
    throw new Broken(
      `${lab.slug}: "${solve} ${UNKNOWN_TASK}" exits 0: a solve script must refuse a task id the lab does not have (exit non-zero and say so), not apply every task`,
    );
  if (refused.output.trim().length === 0)
    throw new Broken(`${lab.slug}: "${solve} ${UNKNOWN_TASK}" fails without saying why`);
}

/**
 * A solve script takes a task id and applies that task's part only (what "skip
 * with the solution" runs), assuming the tasks before it are done. Applied task
 * by task in one sandbox: after each step, the checks of every task up to it pass.
 */
async function solveStepwise(
  session: Session,
  lab: Lab,
  result: ContractResult,
  progress: Progress,
): Promise<void> {
  const solve = lab.manifest.solve;
  const tasks = lab.manifest.tasks;
  for (const [i, task] of tasks.entries()) {
    await runScript(session, solve, result, [task.id]);
    // The tasks done so far: a later task's check may fail or pass here, neither says anything.
    const due = tasks.slice(0, i + 1);
    const checks = await session.runner!.check({ only: due.map((t) => t.id) });
    result.summary = summarize(checks);
    shellErrors(checks);
    for (const done of due) {
      const verdict = checks.find((r) => r.task === done.id);
      if (verdict?.passed) continue;
      // Every earlier task passed after its own step, so a later step undid it.
      const why =
        done.id === task.id
          ? `its own step leaves it failing`
          : `it passed after its own step, and "${solve} ${task.id}" undid it`;
      throw new Broken(
        `${lab.slug}: task "${done.id}" fails after "${solve} ${task.id}" (${why}):\n${result.summary}`,
      );
    }
    progress(`${lab.slug}: ${solve} ${task.id} ran; it and the tasks before it pass`);
  }
}

/**
 * Checks fail (each with a reason) after setup; the solve script, applied task by
 * task, makes each task pass in turn; run once more without a task id (every task,
 * on a lab already fixed: a solve must not depend on the state it left itself),
 * every check passes. Idle, the sandbox stays within its CPU budget both before and
 * after the fix.
 */
export function verifySolve(
  sessions: SessionManager,
  lab: Lab,
  progress: Progress = () => {},
): Promise<ContractResult> {
  const solve = lab.manifest.solve;
  return inSession(sessions, lab, 'solve', 'solve', async (session, result) => {
    const broken = await session.runner!.check();
    result.summary = summarize(broken);
    shellErrors(broken);
    progress(`${lab.slug}: set up; every check must fail`);
    for (const check of broken) {
      if (check.passed)
        throw new Broken(`check "${check.task}" passes on the broken scenario:\n${result.summary}`);
      if (check.output.trim().length === 0)
        throw new Broken(`check "${check.task}" fails without saying why`);
    }
    await refusesUnknownTask(session, lab);
    const afterSetup = await idleCpu(session, 'after setup', result);
    await solveStepwise(session, lab, result, progress);
    await runScript(session, solve, result);
    progress(`${lab.slug}: ${solve} ran again for every task; every check must pass`);
    await expectAllPass(session, solve, result);
    result.idle = { afterSetup, afterSolve: await idleCpu(session, 'after solve', result) };
  });
}

/** A correct fix other than the solve script: it runs to completion and every check passes. */
export function verifyRightFix(
  sessions: SessionManager,
  lab: Lab,
  fix: LabRightFix,
  progress: Progress = () => {},
): Promise<ContractResult> {
  return inSession(sessions, lab, 'right-fix', fix.script, async (session, result) => {
    await runScript(session, fix.script, result);
    progress(`${lab.slug}: ${fix.script} ran; every check must pass`);
    await expectAllPass(session, `the right fix ${fix.script} (${fix.why})`, result);
  });
}

/**
 * The wrong fix runs to completion (exit 0); then the check of the task it names
 * fails, with a message that names the real problem, now and when asked again.
 */
export function verifyWrongFix(
  sessions: SessionManager,
  lab: Lab,
  fix: LabWrongFix,
  progress: Progress = () => {},
): Promise<ContractResult> {
  return inSession(sessions, lab, 'wrong-fix', fix.script, async (session, result) => {
    await runScript(session, fix.script, result);
    progress(`${lab.slug}: ${fix.script} ran; check "${fix.caughtBy}" must fail`);
    for (const round of ['', ' when Check is pressed again']) {
      if (round) await pause(RECHECK_DELAY_MS);
      // The task the wrong fix names is the one whose check must say no; the others' say nothing here.
      const checks = await session.runner!.check({ only: [fix.caughtBy] });
      result.summary = summarize(checks);
      shellErrors(checks);
      const catcher = checks.find((r) => r.task === fix.caughtBy);
      if (!catcher) throw new Broken(`no check ran for task "${fix.caughtBy}"`);
      if (catcher.passed)
        throw new Broken(
          `check "${fix.caughtBy}" passes after the wrong fix ${fix.script}${round} (${fix.why}):\n${result.summary}`,
        );
      if (!catcher.output.toLowerCase().includes(fix.says.toLowerCase()))
        throw new Broken(
          `check "${fix.caughtBy}" fails after ${fix.script}${round}, but its message does not say "${fix.says}":\n${catcher.output.trim()}`,
        );
    }
  });
}

/** A lab to verify, and the sessions of the platform that can run it. */
export interface LabTarget {
  sessions: SessionManager;
  lab: Lab;
}

/**
 * The whole contract of each lab: its solve step and every fix, `parallel`
 * sessions at a time across all the labs, so that one lab's long solve step (its
 * idle measurements mostly wait) does not hold back the next lab's steps. The
 * solve steps, the longest, go first. Results come lab by lab, solve first.
 */
export async function verifyLabs(
  targets: LabTarget[],
  options: { parallel?: number; progress?: Progress } = {},
): Promise<ContractResult[]> {
  const progress = options.progress ?? (() => {});
  const steps = targets.flatMap(({ sessions, lab }) => [
    { solve: true, run: () => verifySolve(sessions, lab, progress) },
    ...lab.manifest.rightFixes.map((fix) => ({
      solve: false,
      run: () => verifyRightFix(sessions, lab, fix, progress),
    })),
    ...lab.manifest.wrongFixes.map((fix) => ({
      solve: false,
      run: () => verifyWrongFix(sessions, lab, fix, progress),
    })),
  ]);
  const order = [...steps.keys()].sort((a, b) => Number(steps[b]!.solve) - Number(steps[a]!.solve));
  const results: ContractResult[] = [];
  const queue = order.values();
  const worker = async () => {
    for (const i of queue) {
      const result = await steps[i]!.run();
      results[i] = result;
      progress(
        `${result.slug} / ${result.step}: ${result.passed ? 'ok' : 'BROKEN'} in ${result.seconds.toFixed(1)} s (${result.timings.join(', ')})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 2) }, worker));
  return results;
}

export interface LabReport {
  slug: string;
  solved: boolean;
  wrongCaught: number;
  wrongFixes: number;
  rightAccepted: number;
  rightFixes: number;
  /** ShellCheck's verdict on the lab's scripts, when it ran. */
  shellcheck?: boolean;
  /** Sandbox time spent on the lab (its steps run in parallel, so more than the wall time). */
  seconds: number;
  idle?: { afterSetup: number; afterSolve: number };
}

/** Per lab: wrong fixes caught, right fixes accepted, time. */
export function reportByLab(results: ContractResult[]): LabReport[] {
  const bySlug = new Map<string, LabReport>();
  for (const r of results) {
    const report = bySlug.get(r.slug) ?? {
      slug: r.slug,
      solved: false,
      wrongCaught: 0,
      wrongFixes: 0,
      rightAccepted: 0,
      rightFixes: 0,
      seconds: 0,
    };
    if (r.kind === 'shellcheck') {
      report.shellcheck = r.passed;
      bySlug.set(r.slug, report);
      continue;
    }
    report.seconds += r.seconds;
    if (r.kind === 'solve') {
      report.solved = r.passed;
      report.idle = r.idle;
    } else if (r.kind === 'right-fix') {
      report.rightFixes++;
      if (r.passed) report.rightAccepted++;
    } else {
      report.wrongFixes++;
      if (r.passed) report.wrongCaught++;
    }
    bySlug.set(r.slug, report);
  }
  return [...bySlug.values()].sort((a, b) => a.slug.localeCompare(b.slug));
}

export const formatReport = (r: LabReport): string =>
  `${r.slug}: ${r.shellcheck === undefined ? '' : `shellcheck ${r.shellcheck ? 'clean' : 'FINDINGS'}, `}solve ${r.solved ? 'passes' : 'BROKEN'}, wrong fixes caught ${r.wrongCaught}/${r.wrongFixes}, right fixes accepted ${r.rightAccepted}/${r.rightFixes}` +
  `${r.idle ? `, idle CPU ${percent(r.idle.afterSetup)} after setup and ${percent(r.idle.afterSolve)} after solve` : ''}, ${r.seconds.toFixed(0)} s of sandbox time`;

/**
 * Every lab in labs/, verified in a real sandbox: after setup every task's check
 * fails; the solve script, applied task by task (`solve.sh <task-id>`) in one
 * sandbox, makes each task pass in turn and refuses a task id the lab lacks; after
 * each right-fix script every check passes; after each wrong-fix script the task it names fails and says why (the
 * contract itself is lab-server/labs/verify.ts, which `drydock labs verify` runs
 * too). Our own labs carry at least four wrong fixes and two right fixes each.
 * A new lab is covered without editing this file; the per-lab report (wrong
 * fixes caught, right fixes accepted, time) is printed at the end.
 *
 * Labs run under the default (rootless) profile. A lab whose `requires` that
 * profile cannot meet on this host must be refused there (409 LAB_UNSUPPORTED),
 * and is then verified under the dind profile, which a loopback server may use.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { loadLabs } from '../../lab-format/load.ts';
import {
  type ContractResult,
  formatReport,
  reportByLab,
  verifyRightFix,
  verifySolve,
  verifyWrongFix,
} from '../../lab-server/labs/verify.ts';
import {
  assertNothingLeft,
  LABS_ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const labs = loadLabs(`${LABS_ROOT}/labs`, { imagesDir: `${LABS_ROOT}/images` });
// Labs spend much of their time waiting on their inner engines: 4 at once measured 275 s on 2 CPUs, 2 at once 371 s.
const PARALLEL = Number(process.env.DRYDOCK_LAB_PARALLEL ?? 4);
/** What every lab in this repository carries (docs/writing-labs.md, "Wrong fixes and right fixes"). */
const MIN_WRONG_FIXES = 4;
const MIN_RIGHT_FIXES = 2;
const results: ContractResult[] = [];

describe('lab contract', { concurrency: PARALLEL }, () => {
  let platform: TestPlatform;
  let dind: Promise<TestPlatform> | undefined;
  before(async () => {
    // As `labs verify` does (verify-platform.ts): the contract's own checks, no live ones beside them.
    platform = await startPlatform({
      DRYDOCK_MAX_SANDBOXES: String(PARALLEL * 2),
      DRYDOCK_LIVE_CHECK_BUDGET: 'off',
    });
  });
  after(async () => {
    console.log(`lab contract, per lab:\n${reportByLab(results).map(formatReport).join('\n')}`);
    await platform.close();
    await assertNothingLeft(platform.owner);
    if (dind) {
      const trusted = await dind;
      await trusted.close();
      await assertNothingLeft(trusted.owner);
    }
  });

  /** The platform that can run this lab: the default one, or (for a lab it refuses) a dind one. */
  async function platformFor(slug: string, t: TestContext): Promise<TestPlatform> {
    const reason = platform.app.backend.status.unsupported?.[slug];
    if (!reason) return platform;
    const refused = await platform.app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { lab: slug },
    });
    assert.equal(
      refused.statusCode,
      409,
      `an unsupported lab must be refused, got ${refused.statusCode}: ${refused.body}`,
    );
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'LAB_UNSUPPORTED');
    t.diagnostic(`${slug}: refused by the rootless profile here (${reason}); verified under dind`);
    dind ??= startPlatform({
      DRYDOCK_MAX_SANDBOXES: String(PARALLEL),
      DRYDOCK_SANDBOX_PROFILE: 'dind',
      DRYDOCK_LIVE_CHECK_BUDGET: 'off',
    });
    return dind;
  }

  /** Fails the test with the contract's reason, and reports the per-lab timing either way. */
  function report(result: ContractResult, t: TestContext): void {
    results.push(result);
    for (const warning of result.warnings) t.diagnostic(`WARNING: ${warning}`);
    t.diagnostic(
      `${result.slug}${result.kind === 'solve' ? '' : ` / ${result.step}`}: ${result.seconds.toFixed(1)} s (${result.timings.join(', ')})`,
    );
    if (result.summary) t.diagnostic(result.summary);
    assert.ok(result.passed, result.problem);
  }

  for (const lab of labs) {
    it(`${lab.slug}: carries ${MIN_WRONG_FIXES}+ wrong fixes and ${MIN_RIGHT_FIXES}+ right fixes`, () => {
      const { wrongFixes, rightFixes } = lab.manifest;
      assert.ok(
        wrongFixes.length >= MIN_WRONG_FIXES,
        `${lab.slug} has ${wrongFixes.length} wrong fixes; our labs guard against at least ${MIN_WRONG_FIXES}`,
      );
      assert.ok(
        rightFixes.length >= MIN_RIGHT_FIXES,
        `${lab.slug} has ${rightFixes.length} right fixes; our labs prove at least ${MIN_RIGHT_FIXES} fixes other than solve.sh pass`,
      );
    });

    it(`${lab.slug}: checks fail after setup and pass task by task after the solve script`, async (t) => {
      const platform = await platformFor(lab.slug, t);
      report(await verifySolve(platform.sessions, platform.app.labs.lab(lab.slug)!), t);
    });

    for (const fix of lab.manifest.rightFixes) {
      it(`${lab.slug}: right fix ${fix.script} passes`, async (t) => {
        const platform = await platformFor(lab.slug, t);
        report(await verifyRightFix(platform.sessions, platform.app.labs.lab(lab.slug)!, fix), t);
      });
    }

    for (const fix of lab.manifest.wrongFixes) {
      it(`${lab.slug}: wrong fix ${fix.script} does not pass`, async (t) => {
        const platform = await platformFor(lab.slug, t);
        report(await verifyWrongFix(platform.sessions, platform.app.labs.lab(lab.slug)!, fix), t);
      });
    }
  }
});

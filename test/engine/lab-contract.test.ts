/**
 * Every lab in labs/, verified in a real sandbox: after setup every task's check
 * fails; after the solve script every check passes; after each wrong-fix script
 * at least one check still fails (the contract itself is lab-server/labs/verify.ts,
 * which `drydock labs verify` runs too). A new lab is covered without editing this file.
 *
 * Labs run under the default (rootless) profile. A lab whose `requires` that
 * profile cannot meet on this host must be refused there (409 LAB_UNSUPPORTED),
 * and is then verified under the dind profile, which a loopback server may use.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { loadLabs } from '../../lab-format/load.ts';
import { type ContractResult, verifySolve, verifyWrongFix } from '../../lab-server/labs/verify.ts';
import {
  assertNothingLeft,
  LABS_ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const labs = loadLabs(`${LABS_ROOT}/labs`, { imagesDir: `${LABS_ROOT}/images` });
// Labs spend much of their time waiting on their inner engines: 4 at once measured 275 s on 2 CPUs, 2 at once 371 s.
const PARALLEL = Number(process.env.DRYDOCK_LAB_PARALLEL ?? 4);

describe('lab contract', { concurrency: PARALLEL }, () => {
  let platform: TestPlatform;
  let dind: Promise<TestPlatform> | undefined;
  before(async () => {
    platform = await startPlatform({ DRYDOCK_MAX_SANDBOXES: String(PARALLEL * 2) });
  });
  after(async () => {
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
    const reason = platform.app.platform.status.unsupported?.[slug];
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
    });
    return dind;
  }

  /** Fails the test with the contract's reason, and reports the per-lab timing either way. */
  function report(result: ContractResult, t: TestContext): void {
    for (const warning of result.warnings) t.diagnostic(`WARNING: ${warning}`);
    t.diagnostic(
      `${result.slug}${result.step === 'solve' ? '' : ` / ${result.step}`}: ${result.seconds.toFixed(1)} s (${result.timings.join(', ')})`,
    );
    if (result.summary)
      t.diagnostic(result.step === 'solve' ? `after setup:\n${result.summary}` : result.summary);
    assert.ok(result.passed, result.problem);
  }

  for (const lab of labs) {
    it(`${lab.slug}: checks fail after setup and pass after the solve script`, async (t) => {
      const platform = await platformFor(lab.slug, t);
      report(await verifySolve(platform.sessions, platform.app.platform.lab(lab.slug)!), t);
    });

    for (const fix of lab.manifest.wrongFixes) {
      it(`${lab.slug}: wrong fix ${fix.script} does not pass`, async (t) => {
        const platform = await platformFor(lab.slug, t);
        report(
          await verifyWrongFix(platform.sessions, platform.app.platform.lab(lab.slug)!, fix),
          t,
        );
      });
    }
  }
});

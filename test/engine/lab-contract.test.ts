/**
 * Every lab in labs/, verified in a real sandbox: after setup every task's check
 * fails; after the solve script every check passes; after each wrong-fix script
 * at least one check still fails. A new lab is covered without editing this file.
 *
 * Labs run under the default (rootless) profile. A lab whose `requires` that
 * profile cannot meet on this host must be refused there (409 LAB_UNSUPPORTED),
 * and is then verified under the dind profile, which a loopback server may use.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { loadLabs } from '../../lab-format/load.ts';
import type { CheckResult } from '../../lab-server/sessions/lab-runner.ts';
import type { Session } from '../../lab-server/sessions/session.ts';
import {
  assertNothingLeft,
  LABS_ROOT,
  startPlatform,
  type TestPlatform,
} from '../support/platform.ts';

const labs = loadLabs(`${LABS_ROOT}/labs`, { imagesDir: `${LABS_ROOT}/images` });
// Labs spend much of their time waiting on their inner engines: 4 at once measured 275 s on 2 CPUs, 2 at once 371 s.
const PARALLEL = Number(process.env.DRYDOCK_LAB_PARALLEL ?? 4);
const SCRIPT_TIMEOUT_MS = 300_000;

const summary = (results: CheckResult[]) =>
  results
    .map((r) => `  ${r.passed ? 'PASS' : 'FAIL'} ${r.task}: ${r.output.split('\n')[0]}`)
    .join('\n');

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

  async function withSession<T>(
    slug: string,
    body: (session: Session) => Promise<T>,
    t: TestContext,
  ): Promise<T> {
    const platform = await platformFor(slug, t);
    const session = platform.sessions.create(platform.app.platform.lab(slug)!);
    try {
      await session.provisioned;
      assert.equal(
        session.state,
        'ready',
        `setup failed twice: ${session.failure ?? session.message}`,
      );
      // The platform retries a failed start once; a lab that needed it is flaky and says so here.
      if (session.attempts > 1)
        t.diagnostic(
          `WARNING: ${slug} needed ${session.attempts} attempts to start (flaky setup?)`,
        );
      return await body(session);
    } finally {
      await platform.sessions.end(session, 'stopped');
    }
  }

  for (const lab of labs) {
    it(`${lab.slug}: checks fail after setup and pass after the solve script`, async (t) => {
      const timings: string[] = [];
      let brokenResults: CheckResult[] = [];
      const started = Date.now();
      await withSession(
        lab.slug,
        async (session) => {
          timings.push(`setup ${((Date.now() - started) / 1000).toFixed(1)} s`);
          const broken = await session.runner!.check();
          brokenResults = broken;
          for (const result of broken) {
            assert.equal(
              result.passed,
              false,
              `check "${result.task}" passes on the broken scenario:\n${summary(broken)}`,
            );
            assert.ok(
              result.output.trim().length > 0,
              `check "${result.task}" fails without saying why`,
            );
          }
          let mark = Date.now();
          const solved = await session.runner!.run(lab.manifest.solve, SCRIPT_TIMEOUT_MS);
          assert.equal(
            solved.exitCode,
            0,
            `${lab.manifest.solve} failed:\n${solved.output.slice(-2000)}`,
          );
          timings.push(`solve ${((Date.now() - mark) / 1000).toFixed(1)} s`);
          mark = Date.now();
          const fixed = await session.runner!.check();
          timings.push(`checks ${((Date.now() - mark) / 1000).toFixed(1)} s`);
          assert.ok(
            fixed.every((r) => r.passed),
            `checks still fail after ${lab.manifest.solve}:\n${summary(fixed)}`,
          );
        },
        t,
      );
      t.diagnostic(
        `${lab.slug}: ${((Date.now() - started) / 1000).toFixed(1)} s (${timings.join(', ')})`,
      );
      t.diagnostic(`after setup:\n${summary(brokenResults)}`);
    });

    for (const fix of lab.manifest.wrongFixes) {
      it(`${lab.slug}: wrong fix ${fix.script} does not pass`, async (t) => {
        const started = Date.now();
        await withSession(
          lab.slug,
          async (session) => {
            const ran = await session.runner!.run(fix.script, SCRIPT_TIMEOUT_MS);
            // The wrong fix must really have been carried out, or a failing check proves nothing.
            assert.equal(
              ran.exitCode,
              0,
              `${fix.script} itself failed (exit ${ran.exitCode}):\n${ran.output.slice(-2000)}`,
            );
            const results = await session.runner!.check();
            assert.ok(
              results.some((r) => !r.passed),
              `every check passes after the wrong fix ${fix.script} (${fix.why}):\n${summary(results)}`,
            );
            t.diagnostic(summary(results));
          },
          t,
        );
        t.diagnostic(
          `${lab.slug} / ${fix.script}: ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      });
    }
  }
});

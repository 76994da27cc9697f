/**
 * `drydock labs new` makes a lab that passes `labs verify` exactly as generated,
 * in real sandboxes; and `labs verify` catches a lab whose wrong fix is no wrong
 * fix, whose right fix fixes nothing, or whose check catches a wrong fix without
 * saying the words the manifest expects. The labs live in a temporary root that borrows the repository's images
 * and shared script helpers, as a lab author's own repository would.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { drydock } from '../support/cli.ts';
import { ROOT } from '../support/platform.ts';

/** Containers of `labs verify` platforms (owner verify-…) still in the engine. */
async function verifyLeftovers(): Promise<string[]> {
  const containers = await new Docker().listContainers({
    all: true,
    filters: { label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  return containers
    .filter((c) => c.Labels[LABEL.owner]?.startsWith('verify-'))
    .map((c) => c.Names[0]!);
}

describe('drydock labs new and labs verify, in real sandboxes', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'drydock-cli-labs-'));
    mkdirSync(join(root, 'labs'));
    symlinkSync(join(ROOT, 'images'), join(root, 'images'));
    symlinkSync(join(ROOT, 'labs/_lib'), join(root, 'labs/_lib'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('verifies a scaffolded lab as generated, and fails labs whose fixes are not what they claim', async () => {
    const env = { DRYDOCK_ROOT: root };
    for (const slug of ['fresh-lab', 'leaky-lab', 'mumbling-lab']) {
      const made = await drydock(['labs', 'new', slug], env);
      assert.equal(made.code, 0, made.stderr);
    }
    // The "wrong" fix of leaky-lab starts web: every check passes after it, which the
    // contract forbids; its "right" fix does nothing, so its checks still fail. The
    // wrong fix also leaves a command substitution unquoted, which ShellCheck reports.
    writeFileSync(
      join(root, 'labs/leaky-lab/wrong-fixes/another-container.sh'),
      'docker start $(echo web)\n',
    );
    writeFileSync(join(root, 'labs/leaky-lab/right-fixes/restart.sh'), 'true\n');
    // mumbling-lab's check catches its wrong fix, but not with the words its manifest expects.
    const manifest = join(root, 'labs/mumbling-lab/lab.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('says: never started', 'says: cosmic rays'),
    );
    const valid = await drydock(['labs', 'validate'], env);
    assert.equal(valid.code, 0, valid.stdout);

    const run = await drydock(
      // One sandbox per lab's solve step at once: the three labs take as long as one.
      ['labs', 'verify', 'fresh-lab', 'leaky-lab', 'mumbling-lab', '--parallel', '3', '--json'],
      env,
    );
    const results = JSON.parse(run.stdout) as {
      slug: string;
      step: string;
      passed: boolean;
      problem?: string;
      timings: string[];
    }[];
    const verdict = Object.fromEntries(results.map((r) => [`${r.slug} ${r.step}`, r.passed]));
    assert.deepEqual(
      verdict,
      {
        'fresh-lab shellcheck': true,
        'fresh-lab solve': true,
        'fresh-lab right-fixes/restart.sh': true,
        'fresh-lab wrong-fixes/another-container.sh': true,
        'leaky-lab shellcheck': false,
        'leaky-lab solve': true,
        'leaky-lab right-fixes/restart.sh': false,
        'leaky-lab wrong-fixes/another-container.sh': false,
        'mumbling-lab shellcheck': true,
        'mumbling-lab solve': true,
        'mumbling-lab right-fixes/restart.sh': true,
        'mumbling-lab wrong-fixes/another-container.sh': false,
      },
      run.stderr,
    );
    const problem = (key: string) =>
      results.find((r) => `${r.slug} ${r.step}` === key)?.problem ?? '';
    assert.match(
      problem('leaky-lab wrong-fixes/another-container.sh'),
      /check "web-runs" passes after the wrong fix wrong-fixes\/another-container\.sh/,
    );
    assert.match(
      problem('leaky-lab right-fixes/restart.sh'),
      /checks fail after the right fix right-fixes\/restart\.sh[\s\S]*FAIL web-runs/,
    );
    assert.match(
      problem('leaky-lab shellcheck'),
      /labs\/leaky-lab\/wrong-fixes\/another-container\.sh:1:\d+: warning SC2046: Quote this/,
    );
    assert.match(
      problem('mumbling-lab wrong-fixes/another-container.sh'),
      /check "web-runs" fails after wrong-fixes\/another-container\.sh, but its message does not say "cosmic rays"/,
    );
    assert.equal(run.code, 1, 'a broken contract must fail the command');
    assert.match(
      run.stderr,
      /fresh-lab \/ solve: ok in [\d.]+ s \(setup [\d.]+ s, idle after setup [\d.]+ s, solve\.sh web-runs [\d.]+ s, solve\.sh [\d.]+ s, checks [\d.]+ s, idle after solve [\d.]+ s\)/,
    );
    const idle = results.find((r) => r.slug === 'fresh-lab' && r.step === 'solve') as {
      idle?: { afterSetup: number; afterSolve: number };
    };
    assert.ok(
      idle.idle && idle.idle.afterSetup >= 0 && idle.idle.afterSolve <= 0.05,
      `the idle CPU of a sandbox running one sleeping container is measured and small: ${JSON.stringify(idle.idle)}`,
    );
    assert.deepEqual(await verifyLeftovers(), []);
  });

  it("verifies a content pack's labs with --pack, beside the built-in content, as the pack's own CI would", async () => {
    const pack = join(ROOT, 'test/fixtures/content-pack');
    const run = await drydock(['labs', 'verify', '--pack', pack, '--json'], { DRYDOCK_ROOT: ROOT });
    const results = JSON.parse(run.stdout) as { slug: string; step: string; passed: boolean }[];
    assert.deepEqual(
      Object.fromEntries(results.map((r) => [`${r.slug} ${r.step}`, r.passed])),
      {
        'payments-worker-stopped shellcheck': true,
        'payments-worker-stopped solve': true,
        'payments-worker-stopped right-fixes/restart.sh': true,
        'payments-worker-stopped wrong-fixes/another-container.sh': true,
      },
      `only the pack's lab, and its whole contract:\n${run.stderr}`,
    );
    assert.equal(run.code, 0, run.stderr);

    // A pack whose lab is malformed fails validation, naming the pack, the file and the field.
    const broken = join(root, 'acme-broken');
    mkdirSync(broken);
    symlinkSync(join(pack, 'lessons'), join(broken, 'lessons'));
    mkdirSync(join(broken, 'labs/payments-worker-stopped'), { recursive: true });
    writeFileSync(
      join(broken, 'labs/payments-worker-stopped/lab.yaml'),
      readFileSync(join(pack, 'labs/payments-worker-stopped/lab.yaml'), 'utf8').replace(
        'difficulty: beginner',
        'difficulty: easy',
      ),
    );
    const invalid = await drydock(['labs', 'validate', '--pack', broken], { DRYDOCK_ROOT: ROOT });
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stdout,
      /fail {2}content pack "acme-broken": acme-broken\/labs\/payments-worker-stopped\/lab\.yaml: difficulty: /,
    );
    assert.deepEqual(await verifyLeftovers(), []);
  });
});

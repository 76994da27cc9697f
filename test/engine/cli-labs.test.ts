/**
 * `drydock labs new` makes a lab that passes `labs verify` exactly as generated,
 * in real sandboxes; and `labs verify` catches a lab whose wrong fix is no wrong
 * fix. The labs live in a temporary root that borrows the repository's images
 * and shared script helpers, as a lab author's own repository would.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('verifies a scaffolded lab as generated, and fails a lab whose wrong fix really fixes it', async () => {
    const env = { DRYDOCK_ROOT: root };
    for (const slug of ['fresh-lab', 'leaky-lab']) {
      const made = await drydock(['labs', 'new', slug], env);
      assert.equal(made.code, 0, made.stderr);
    }
    // The "wrong" fix of leaky-lab starts web: every check passes after it, which the contract forbids.
    writeFileSync(
      join(root, 'labs/leaky-lab/wrong-fixes/another-container.sh'),
      'docker start web\n',
    );
    const valid = await drydock(['labs', 'validate'], env);
    assert.equal(valid.code, 0, valid.stdout);

    const run = await drydock(['labs', 'verify', 'fresh-lab', 'leaky-lab', '--json'], env);
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
        'fresh-lab solve': true,
        'fresh-lab wrong-fixes/another-container.sh': true,
        'leaky-lab solve': true,
        'leaky-lab wrong-fixes/another-container.sh': false,
      },
      run.stderr,
    );
    assert.match(
      results.find((r) => !r.passed)!.problem!,
      /every check passes after the wrong fix wrong-fixes\/another-container\.sh/,
    );
    assert.equal(run.code, 1, 'a broken contract must fail the command');
    assert.match(run.stderr, /fresh-lab \/ solve: ok in [\d.]+ s \(setup [\d.]+ s, solve/);
    assert.deepEqual(await verifyLeftovers(), []);
  });
});

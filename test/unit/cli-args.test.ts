/**
 * The `drydock` command's surface: help on every verb, exit code 2 for usage
 * errors and a bad configuration, JSON where the output is data. No engine:
 * DOCKER_HOST points where none listens.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { drydock } from '../support/cli.ts';
import { NO_ENGINE } from '../support/fake-sandbox.ts';
import { ROOT } from '../support/platform.ts';
import { tempRoot } from '../support/temp-lab.ts';

const VERBS = [
  ['doctor'],
  ['images'],
  ['images', 'list'],
  ['images', 'build'],
  ['images', 'prune'],
  ['images', 'export'],
  ['images', 'import'],
  ['sessions'],
  ['sessions', 'list'],
  ['sessions', 'end'],
  ['sessions', 'extend'],
  ['labs'],
  ['labs', 'validate'],
  ['labs', 'verify'],
  ['labs', 'new'],
];

describe('the drydock command line', { concurrency: 4 }, () => {
  it('lists every verb group in its help and exits 0', async () => {
    const run = await drydock(['--help']);
    assert.equal(run.code, 0);
    for (const verb of ['doctor', 'images', 'sessions', 'labs'])
      assert.match(run.stdout, new RegExp(`\\n  ${verb}\\b`));
  });

  for (const verb of VERBS) {
    it(`answers \`${verb.join(' ')} --help\` with its usage and exit code 0`, async () => {
      const run = await drydock([...verb, '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Usage: drydock ${verb.join(' ')}`));
    });
  }

  for (const [what, args, message] of [
    ['an unknown verb', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown option', ['doctor', '--frob'], /unknown option '--frob'/],
    ['a missing argument', ['sessions', 'end'], /missing required argument 'id'/],
    ['a number that is not one', ['images', 'prune', '--keep', 'x'], /whole number from 0 up/],
    ['a session id of the wrong shape', ['sessions', 'end', 'abc'], /not a session id/],
    ['a lab slug that is not kebab-case', ['labs', 'new', 'Bad_Slug'], /not a lab slug/],
    ['an unknown lab', ['labs', 'verify', 'no-such-lab'], /no lab called no-such-lab/],
  ] as const) {
    it(`exits 2 and says what is wrong on ${what}`, async () => {
      const run = await drydock([...args], { DOCKER_HOST: NO_ENGINE });
      assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message);
    });
  }

  it('exits 2 and names the variable when the configuration is invalid', async () => {
    const run = await drydock(['labs', 'validate'], { DRYDOCK_SANDBOX_MEMORY: 'lots' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /DRYDOCK_SANDBOX_MEMORY: "lots" is not a size/);
  });

  it('prints doctor’s findings as JSON and exits 1 when the engine is unreachable', async () => {
    const run = await drydock(['doctor', '--quick', '--json'], { DOCKER_HOST: NO_ENGINE });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      findings: { id: string; status: string; fix?: string }[];
    };
    assert.equal(report.ok, false);
    const engine = report.findings.find((f) => f.id === 'engine')!;
    assert.equal(engine.status, 'fail');
    assert.match(engine.fix!, /Nothing answers at \/nonexistent\/docker.sock/);
    // Without an engine, doctor still reports the host's own items.
    for (const id of ['cgroup', 'userns', 'memory'])
      assert.ok(
        report.findings.some((f) => f.id === id),
        id,
      );
    for (const f of report.findings.filter((x) => x.status === 'fail'))
      assert.ok(f.fix, `${f.id} fails without a fix`);
  });

  it('says how to reach an engine when an image verb has none', async () => {
    const run = await drydock(['images', 'list'], { DOCKER_HOST: NO_ENGINE });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No Docker engine is reachable/);
  });

  it('is reached through the launcher, which keeps its own verbs and hands every other one over', () => {
    using root = tempRoot();
    const launcher = (...args: string[]) =>
      spawnSync('bash', [`${ROOT}scripts/drydock`, ...args], {
        encoding: 'utf8',
        env: { ...process.env, DRYDOCK_ROOT: root.root, DOCKER_HOST: NO_ENGINE },
      });
    const help = launcher('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stderr, /Launcher verbs: start .*test .*setup .*run/);
    assert.match(help.stdout, /Usage: drydock/);
    const validate = launcher('labs', 'validate', '--json');
    assert.equal(validate.status, 0, validate.stderr);
    assert.deepEqual(JSON.parse(validate.stdout), []);
    assert.equal(launcher('no-such-verb').status, 2);
  });
});

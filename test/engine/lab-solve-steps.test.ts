/**
 * The solve step of the lab contract, task by task, in real sandboxes: a solve
 * script that ignores the task id it is given, one whose step for a task leaves
 * that task failing, and one whose later step undoes an earlier task each break
 * the contract, and the verdict names the lab and the task. (A lab whose solve
 * follows the contract passes: test/engine/cli-labs.test.ts verifies the
 * scaffold, and the lab contract test every lab.) The labs live in a temporary
 * root that borrows the repository's images and shared script helpers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UNKNOWN_TASK, verifySolve } from '../../lab-server/labs/verify.ts';
import { assertNothingLeft, ROOT, startPlatform, type TestPlatform } from '../support/platform.ts';
import { GOOD_MANIFEST, tempRoot, type TempRoot } from '../support/temp-lab.ts';

/** Two tasks: a container named one runs, then a container named two. */
const MANIFEST = {
  ...GOOD_MANIFEST,
  tasks: ['one', 'two'].map((name) => ({
    id: `${name}-runs`,
    title: `A container named ${name} runs`,
    instructions: `Start ${name}.`,
    check: `checks/${name}-runs.sh`,
    solution: `\`docker start ${name}\``,
  })),
  wrongFixes: [],
};

const check = (
  name: string,
) => `[ "$(docker inspect -f '{{.State.Running}}' ${name} 2>/dev/null)" = true ] \\
  && pass "${name} runs." || fail "${name} is not running; expected it running."
`;

/** A lab of MANIFEST whose solve.sh is `solve`. */
function lab(root: TempRoot, slug: string, solve: string): void {
  root.writeLab(slug, MANIFEST, {
    'setup.sh':
      'docker create --init --name one drydock/lab-base sleep 86400 >/dev/null\n' +
      'docker create --init --name two drydock/lab-base sleep 86400 >/dev/null\n',
    'checks/one-runs.sh': check('one'),
    'checks/two-runs.sh': check('two'),
    'solve.sh': solve,
  });
}

describe('solve scripts applied task by task', () => {
  let root: TempRoot;
  let platform: TestPlatform;
  before(async () => {
    root = tempRoot();
    rmSync(root.imagesDir, { recursive: true });
    symlinkSync(join(ROOT, 'images'), root.imagesDir);
    mkdirSync(root.labsDir, { recursive: true });
    symlinkSync(join(ROOT, 'labs/_lib'), join(root.labsDir, '_lib'));
    // Ignores $1: `solve.sh no-such-task` starts everything and exits 0.
    lab(root, 'deaf-lab', 'docker start one two >/dev/null\n');
    // Its step for one-runs does nothing.
    lab(
      root,
      'lazy-lab',
      'solve_one_runs() { :; }\nsolve_two_runs() { docker start one two >/dev/null; }\nsolve_tasks one-runs two-runs -- "$@"\n',
    );
    // Its step for two-runs stops one, which one-runs' step had started.
    lab(
      root,
      'undoing-lab',
      'solve_one_runs() { docker start one >/dev/null; }\nsolve_two_runs() { docker stop -t 0 one >/dev/null; docker start two >/dev/null; }\nsolve_tasks one-runs two-runs -- "$@"\n',
    );
    // As `labs verify` does (verify-platform.ts): no live checks beside the steps' own.
    platform = await startPlatform({
      DRYDOCK_ROOT: root.root,
      DRYDOCK_MAX_SANDBOXES: '3',
      DRYDOCK_LIVE_CHECK_BUDGET: 'off',
    });
  });
  after(async () => {
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
    root[Symbol.dispose]();
  });

  it('refuses a solve that ignores the task id, and names the lab and the task that fails', async () => {
    const verify = (slug: string) => verifySolve(platform.sessions, platform.app.labs.lab(slug)!);
    const [deaf, lazy, undoing] = await Promise.all(
      ['deaf-lab', 'lazy-lab', 'undoing-lab'].map(verify),
    );

    assert.equal(deaf!.passed, false);
    assert.match(
      deaf!.problem ?? '',
      new RegExp(
        `^deaf-lab: "solve\\.sh ${UNKNOWN_TASK}" exits 0: a solve script must refuse a task id`,
      ),
    );

    assert.equal(lazy!.passed, false);
    assert.match(
      lazy!.problem ?? '',
      /^lazy-lab: task "one-runs" fails after "solve\.sh one-runs" \(its own step leaves it failing\)/,
    );
    assert.match(lazy!.problem ?? '', /FAIL one-runs: one is not running/);

    assert.equal(undoing!.passed, false);
    assert.match(
      undoing!.problem ?? '',
      /^undoing-lab: task "one-runs" fails after "solve\.sh two-runs" \(it passed after its own step, and "solve\.sh two-runs" undid it\)/,
    );
  });
});

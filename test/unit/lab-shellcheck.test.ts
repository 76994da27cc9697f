/**
 * Lab scripts pass ShellCheck (Debian's package), read the way the lab runner runs
 * them: bash, with the lab's lib.sh in front. Without shellcheck installed these
 * tests fail and say how to install it: a lint that cannot run must not pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatFinding,
  INSTALL_HINT,
  lintLabScripts,
  ShellcheckMissing,
} from '../../lab-server/labs/shellcheck.ts';
import { ROOT } from '../support/platform.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

describe('shell scripts in labs', () => {
  it('every lab script and shared helper passes ShellCheck', async () => {
    const findings = await lintLabScripts(ROOT);
    assert.deepEqual(
      findings.map(formatFinding),
      [],
      'fix these, or put `# shellcheck disable=SCxxxx # why` on the line before (docs/writing-labs.md, "Shell scripts")',
    );
  });

  it('reports a finding at the file and line the author wrote, with lib.sh in front', async () => {
    using root = tempRoot();
    root.writeLab('lint-lab', GOOD_MANIFEST, {
      // lib.sh sets harbour for the checks, and one variable nothing uses.
      'lib.sh': 'harbour=kestrel\nunused_in_every_script=1\n',
      'setup.sh': 'echo "setting up $harbour"\n',
      'solve.sh': 'true\n',
      'checks/web-runs.sh': '# A check.\nname=$(docker ps -q)\ndocker inspect $name\n',
      'wrong-fixes/stopped.sh': 'echo "$harbour"\n',
      // The learner's project is not linted: its bytes are the lab.
      'files/start.sh': '#!/bin/sh\necho $UNQUOTED\n',
    });
    const findings = await lintLabScripts(root.root, { slugs: ['lint-lab'] });
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} SC${f.code}`),
      ['labs/lint-lab/checks/web-runs.sh:3 SC2086', 'labs/lint-lab/lib.sh:2 SC2034'],
      'a variable lib.sh sets for other scripts is no finding; one no script uses is, once',
    );
  });

  it('honours a disable directive on the line before, and labs/.shellcheckrc', async () => {
    using root = tempRoot();
    root.writeLab('quiet-lab', GOOD_MANIFEST, {
      'setup.sh':
        'ids=$(docker ps -q)\n# shellcheck disable=SC2086 # one word per id\ndocker rm $ids\n',
      // SC2016 is off for lab scripts: a sed expression's $ is meant literally.
      'solve.sh': "sed -i 's|${TOKEN}|x|' Dockerfile\n",
      'checks/web-runs.sh': 'false\n',
      'wrong-fixes/stopped.sh': 'true\n',
    });
    assert.deepEqual(await lintLabScripts(root.root, { slugs: ['quiet-lab'] }), []);
  });

  it('fails, saying how to install it, when shellcheck is missing', async () => {
    await assert.rejects(
      lintLabScripts(ROOT, { slugs: [], program: '/nonexistent/shellcheck' }),
      (error: Error) => error instanceof ShellcheckMissing && error.message.includes(INSTALL_HINT),
    );
  });
});

/**
 * An imported Killercoda scenario runs in a real sandbox: after setup (the
 * scenario's background scripts and assets) every imported check fails and says
 * which step; after the generated solve script (the steps' click-to-run commands)
 * every check passes. The scenario is the one written for the unit tests.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertScenario } from '../../lab-server/import/killercoda/convert.ts';
import { readScenario } from '../../lab-server/import/killercoda/scenario.ts';
import { writeImportedLab } from '../../lab-server/import/killercoda/write.ts';
import { assertNothingLeft, ROOT, startPlatform } from '../support/platform.ts';

const SLUG = 'start-the-web-container';

describe('an imported Killercoda scenario, in a real sandbox', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'drydock-killercoda-engine-'));
    mkdirSync(join(root, 'labs'));
    symlinkSync(join(ROOT, 'images'), join(root, 'images'));
    symlinkSync(join(ROOT, 'labs/_lib'), join(root, 'labs/_lib'));
    const scenario = join(ROOT, 'test/fixtures/killercoda', SLUG);
    writeImportedLab(convertScenario(readScenario(scenario), SLUG), {
      labsDir: join(root, 'labs'),
      lessonsDir: join(root, 'content/lessons'),
      source: scenario,
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('fails every check after setup, saying which step, and passes them after the solve script', async () => {
    const platform = await startPlatform({ DRYDOCK_ROOT: root });
    try {
      const lab = platform.app.labs.lab(SLUG)!;
      const session = platform.sessions.create(lab);
      await session.provisioned;
      assert.equal(session.state, 'ready', session.failure ?? session.message);
      const broken = await session.runner!.check();
      assert.deepEqual(
        broken.map((r) => [r.task, r.passed, r.output.split('\n')[0]]),
        [
          [
            'start-the-web-container',
            false,
            'Not done yet: the scenario\'s own check for "Start the web container" fails (exit 1).',
          ],
          [
            'run-the-app-s-helper',
            false,
            'Not done yet: the scenario\'s own check for "Run the app\'s helper" fails (exit 1).',
          ],
        ],
      );
      const solved = await session.runner!.run(lab.manifest.solve, 60_000);
      assert.equal(solved.exitCode, 0, solved.output);
      assert.match(solved.output, /greeting = hello/, 'the asset under /root came with the files');
      assert.match(
        solved.output,
        /helper ran/,
        'the asset for /usr/local/bin was put there, executable',
      );
      const checks = await session.runner!.check();
      assert.deepEqual(
        checks.map((r) => [r.task, r.passed]),
        [
          ['start-the-web-container', true],
          ['run-the-app-s-helper', true],
        ],
        checks.map((r) => r.output).join('\n'),
      );
      await platform.sessions.end(session, 'stopped');
    } finally {
      await platform.close();
    }
    await assertNothingLeft(platform.owner);
  });
});

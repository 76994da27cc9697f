/**
 * Every way the lab server is started runs Node with the same arguments as
 * `scripts/drydock start`: the Dockerfile, the systemd unit and the test helper
 * that spawns it (whose servers the terminal bench measures).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/platform.ts';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** The arguments between `node` and the entry point. */
const flagsBefore = (text: string, what: string) => {
  const args = text.match(/--[\w-]+(?:=\S+?)?(?=["',\s])/g) ?? [];
  assert.ok(text.includes('lab-server/server.ts'), `${what} starts lab-server/server.ts`);
  return args;
};

describe('how the server is started', () => {
  const launcher = /^ {4}exec node (.*) lab-server\/server\.ts$/m.exec(read('scripts/drydock'));
  const expected = launcher?.[1]?.split(' ') ?? [];

  it('scripts/drydock start runs lab-server/server.ts with V8 flags', () => {
    assert.ok(launcher, 'scripts/drydock start execs node … lab-server/server.ts');
    assert.ok(expected.length > 0);
  });

  it('the Dockerfile, the systemd unit and the test helper use the same flags', () => {
    const places = {
      Dockerfile: /^CMD \[(.*)\]$/m.exec(read('Dockerfile'))?.[1] ?? '',
      'deploy/systemd/drydock.service':
        /^ExecStart=(.*)$/m.exec(read('deploy/systemd/drydock.service'))?.[1] ?? '',
      'test/support/server-process.ts':
        /spawn\(\s*process\.execPath,\s*\[([^\]]*)\]/.exec(
          read('test/support/server-process.ts'),
        )?.[1] ?? '',
    };
    for (const [what, line] of Object.entries(places))
      assert.deepEqual(flagsBefore(`${line} `, what), expected, what);
  });
});

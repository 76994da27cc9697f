/**
 * Every way the lab server is started runs its bundle with the same Node
 * arguments, jemalloc settings and MALLOC_ARENA_MAX as `scripts/drydock start`:
 * the Dockerfile, the systemd unit and the test helper that spawns it (whose
 * servers the terminal bench measures).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { SERVER_BUNDLE } from '../../scripts/build-server.ts';
import { ROOT } from '../support/platform.ts';
import { SERVER_MALLOC_ENV, SERVER_NODE_FLAGS } from '../support/server-process.ts';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const ENTRY = relative(ROOT, SERVER_BUNDLE);
/** The arguments between `node` and the entry point. */
const flagsBefore = (text: string, what: string) => {
  const args = text.match(/--[\w-]+(?:=\S+?)?(?=["',\s])/g) ?? [];
  assert.ok(text.includes(ENTRY), `${what} starts the bundle, ${ENTRY}`);
  return args;
};

describe('how the server is started', () => {
  const script = read('scripts/drydock');
  const launcher = new RegExp(`^ {4}exec node (.*) ${ENTRY.replaceAll('.', '\\.')}$`, 'm').exec(
    script,
  );
  const expected = launcher?.[1]?.split(' ') ?? [];

  it('scripts/drydock start builds the bundle when stale, then runs it with V8 flags', () => {
    assert.ok(launcher, `scripts/drydock start execs node … ${ENTRY}`);
    assert.ok(expected.length > 0);
    assert.match(script, /^ {4}node scripts\/build-server\.ts$/m);
    assert.match(script, /^ {4}export MALLOC_ARENA_MAX=1$/m);
    assert.match(
      script,
      /^ {4}if ensure_jemalloc; then export LD_PRELOAD=\$JEMALLOC MALLOC_CONF=\$JEMALLOC_CONF; fi$/m,
    );
  });

  it('the Dockerfile, the systemd unit and the test helper use the same flags and malloc settings', () => {
    const dockerfile = read('Dockerfile');
    const unit = read('deploy/systemd/drydock.service');
    const places = {
      Dockerfile: /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1] ?? '',
      'deploy/systemd/drydock.service': /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '',
    };
    for (const [what, line] of Object.entries(places))
      assert.deepEqual(flagsBefore(`${line} `, what), expected, what);
    const launcherEnv = {
      LD_PRELOAD: /^JEMALLOC=(\S+)$/m.exec(script)?.[1],
      MALLOC_CONF: /^JEMALLOC_CONF=(\S+)$/m.exec(script)?.[1],
      MALLOC_ARENA_MAX: '1',
    };
    assert.ok(launcherEnv.LD_PRELOAD && launcherEnv.MALLOC_CONF, 'scripts/drydock names jemalloc');
    for (const [name, value] of Object.entries(launcherEnv)) {
      assert.match(
        dockerfile,
        new RegExp(`^\\s+${name}=${value}(?: \\\\)?$`, 'm'),
        `Dockerfile: ${name}`,
      );
      assert.match(unit, new RegExp(`^Environment=${name}=${value}$`, 'm'), `the unit: ${name}`);
    }
    assert.deepEqual(SERVER_NODE_FLAGS, expected, 'the test helper (and the benches)');
    assert.deepEqual(SERVER_MALLOC_ENV, launcherEnv, 'the test helper');
  });

  it('the Dockerfile builds the bundle into the image, and the systemd unit before each start', () => {
    assert.match(read('Dockerfile'), /^RUN node scripts\/build-server\.ts$/m);
    assert.match(
      read('deploy/systemd/drydock.service'),
      /^ExecStartPre=\+\/usr\/bin\/env node scripts\/build-server\.ts$/m,
    );
  });
});

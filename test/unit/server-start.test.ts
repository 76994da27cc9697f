/**
 * Every way the lab server is started runs its bundle with the same Node
 * arguments and MALLOC_ARENA_MAX as `scripts/drydock start`: the Dockerfile, the
 * systemd unit and the test helper that spawns it (whose servers the terminal
 * bench measures).
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
  });

  it('the Dockerfile, the systemd unit and the test helper use the same flags and malloc arenas', () => {
    const dockerfile = read('Dockerfile');
    const unit = read('deploy/systemd/drydock.service');
    const places = {
      Dockerfile: /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1] ?? '',
      'deploy/systemd/drydock.service': /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '',
    };
    for (const [what, line] of Object.entries(places))
      assert.deepEqual(flagsBefore(`${line} `, what), expected, what);
    assert.match(dockerfile, /^\s+MALLOC_ARENA_MAX=1$/m, 'Dockerfile');
    assert.match(unit, /^Environment=MALLOC_ARENA_MAX=1$/m, 'the systemd unit');
    assert.deepEqual(SERVER_NODE_FLAGS, expected, 'the test helper (and the benches)');
    assert.deepEqual(SERVER_MALLOC_ENV, { MALLOC_ARENA_MAX: '1' }, 'the test helper');
  });

  it('the Dockerfile builds the bundle into the image, and the systemd unit before each start', () => {
    assert.match(read('Dockerfile'), /^RUN node scripts\/build-server\.ts$/m);
    assert.match(
      read('deploy/systemd/drydock.service'),
      /^ExecStartPre=\+\/usr\/bin\/env node scripts\/build-server\.ts$/m,
    );
  });
});

/**
 * How the server tells which malloc it runs on, what it leaves in the
 * environment of the processes it starts, and what `drydock doctor` says of
 * it (test/engine/server-allocator.test.ts starts real servers on each).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkJemalloc } from '../../lab-server/cli/doctor-checks.ts';
import { allocatorIn, withholdJemalloc } from '../../lab-server/observability/allocator.ts';

describe('the server’s allocator', () => {
  it('is jemalloc only when the library is mapped into the process', () => {
    const glibc =
      '7f12a000-7f12b000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n';
    const jemalloc = `${glibc}7f13a000-7f13b000 r-xp 00000000 fe:01 5678 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n`;
    assert.equal(allocatorIn(jemalloc), 'jemalloc');
    assert.equal(allocatorIn(glibc), 'the C library’s malloc');
    // A file that merely mentions the name (a lab's path) is not the library.
    assert.equal(
      allocatorIn(
        `${glibc}7f14a000-7f14b000 r--p 00000000 fe:01 9 /srv/labs/libjemalloc.so.2.txt\n`,
      ),
      'the C library’s malloc',
    );
  });

  it('takes jemalloc and its settings out of what the server’s children inherit, and nothing else', () => {
    const env: NodeJS.ProcessEnv = {
      LD_PRELOAD: 'libjemalloc.so.2',
      MALLOC_CONF: 'narenas:1',
      MALLOC_ARENA_MAX: '1',
      PATH: '/usr/bin',
    };
    withholdJemalloc(env);
    assert.deepEqual(env, { MALLOC_ARENA_MAX: '1', PATH: '/usr/bin' });

    const other: NodeJS.ProcessEnv = {
      LD_PRELOAD: '/opt/trace/libtrace.so /usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
      MALLOC_CONF: 'narenas:1',
    };
    withholdJemalloc(other);
    assert.deepEqual(other, { LD_PRELOAD: '/opt/trace/libtrace.so' });

    // Someone else's preload, without jemalloc: left as it was, MALLOC_CONF too.
    const theirs: NodeJS.ProcessEnv = { LD_PRELOAD: 'libfoo.so', MALLOC_CONF: 'x' };
    withholdJemalloc(theirs);
    assert.deepEqual(theirs, { LD_PRELOAD: 'libfoo.so', MALLOC_CONF: 'x' });
  });

  it('drydock doctor warns when the loader cannot preload jemalloc, and says what to install', () => {
    // A name no library has: the loader skips it as it would a missing libjemalloc2.
    const finding = checkJemalloc('libjemalloc-not-installed.so.2');
    assert.equal(finding.status, 'warn');
    assert.match(finding.detail, /^libjemalloc-not-installed\.so\.2 cannot be preloaded: /);
    assert.match(finding.fix ?? '', /^apt-get install libjemalloc2/);
  });
});

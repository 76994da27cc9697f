/**
 * Which malloc the server's process runs on, for its start-up log, and what
 * its children inherit of it. Every way the server is started preloads
 * jemalloc when the machine has it (`scripts/drydock start`, the Dockerfile,
 * the systemd unit): glibc's malloc keeps the memory that compiling and busy
 * terminals freed, jemalloc gives it back (docs/operating.md, "Memory"). The
 * loader only warns when the library is missing, so the server says which one
 * it got.
 */
import { readFileSync } from 'node:fs';

export type Allocator = 'jemalloc' | 'the C library’s malloc';

/** jemalloc's shared library, as a path or a name (`libjemalloc.so.2`). */
const JEMALLOC_FILE = /(?:^|\/)libjemalloc\.so[.\d]*$/;

/** The allocator mapped into a process, from its `/proc/<pid>/maps`. */
export function allocatorIn(maps: string): Allocator {
  return maps.split('\n').some((line) => JEMALLOC_FILE.test(line))
    ? 'jemalloc'
    : 'the C library’s malloc';
}

/** This process's allocator; the C library's where /proc is not there to say (not Linux). */
export function currentAllocator(): Allocator {
  try {
    return allocatorIn(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    return 'the C library’s malloc';
  }
}

/**
 * Takes jemalloc out of `env`'s LD_PRELOAD, with its MALLOC_CONF, keeping any
 * other preload: the server's own children (mmdebstrap and the chroot it
 * builds an image in, shellcheck) then start as they would anywhere. Inside
 * that chroot the loader would not find the library, and would say so for
 * every process.
 */
export function withholdJemalloc(env: NodeJS.ProcessEnv): void {
  const preloads = (env.LD_PRELOAD ?? '').split(/[:\s]+/).filter(Boolean);
  const rest = preloads.filter((entry) => !JEMALLOC_FILE.test(entry));
  if (rest.length === preloads.length) return;
  if (rest.length) env.LD_PRELOAD = rest.join(':');
  else delete env.LD_PRELOAD;
  delete env.MALLOC_CONF;
}

/** The start-up log's line: which allocator, and what to install when it is not jemalloc. */
export function allocatorLine(allocator: Allocator): string {
  return allocator === 'jemalloc'
    ? 'memory allocator: jemalloc'
    : 'memory allocator: the C library’s malloc; with jemalloc (Debian and Ubuntu: apt-get install libjemalloc2, then start as before) the server holds less memory, most of all after busy terminals (docs/operating.md, "Memory")';
}

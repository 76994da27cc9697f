/**
 * Why a sandbox died before its engine answered, in one line an operator can act
 * on, with the last lines of the sandbox's own log as evidence. A sandbox that
 * cannot start on this host (a device it cannot open, user namespaces switched
 * off) exits within a second; saying so at once beats waiting out a timeout.
 */

/** A sandbox whose container stopped while its engine was starting. */
export class SandboxStartError extends Error {
  /** One line: what went wrong, as plainly as the log allows. */
  readonly reason: string;
  /** The last lines the sandbox wrote (its entrypoint, rootlesskit, the engine). */
  readonly logTail: string[];

  constructor(reason: string, logTail: string[]) {
    super(`the sandbox stopped while its engine was starting: ${reason}`);
    this.name = 'SandboxStartError';
    this.reason = reason;
    this.logTail = logTail;
  }
}

/** Lines a shell's `set -x` printed (dockerd-rootless.sh traces itself): no reason in them. */
const TRACE = /^\++ /;

export function explainSandboxDeath(
  state: { exitCode: number; oomKilled: boolean },
  logTail: readonly string[],
): string {
  if (state.oomKilled)
    return 'the sandbox ran out of memory while its engine was starting (raise DRYDOCK_SANDBOX_MEMORY)';
  const lines = logTail.map((line) => line.trim()).filter((line) => line && !TRACE.test(line));
  // The entrypoint checks what it can and says so in a line of its own.
  const own = lines.findLast((line) => line.startsWith('drydock-entrypoint: '));
  if (own) return own.slice('drydock-entrypoint: '.length);
  const log = lines.join('\n');
  // rootlesskit, adding the tap device slirp4netns needs: `ip tuntap add` prints
  // "open: Permission denied" when /dev/net/tun is not the engine user's to open.
  if (/setting up tap/.test(log) && /open: permission denied/i.test(log))
    return "the sandbox's engine could not open /dev/net/tun: permission denied";
  if (/setting up tap/.test(log)) {
    const cause = lines.find((line) => /tun|tap/i.test(line) && !/rootlesskit/.test(line));
    return `the sandbox's engine could not set up its network on /dev/net/tun${cause ? `: ${cause}` : ''}`;
  }
  if (/newuidmap|uid_map|user namespace/i.test(log))
    return `the sandbox's engine could not create its user namespace: ${lines.findLast((line) => /newuidmap|uid_map|namespace/i.test(line))}`;
  const last = lines.at(-1);
  const signal = state.exitCode > 128 ? ` (killed by signal ${state.exitCode - 128})` : '';
  return `the sandbox exited with code ${state.exitCode}${signal} while its engine was starting${last ? `; its last line: ${last}` : ''}`;
}

/**
 * Splits the log Docker returns for a container without a TTY: frames of an
 * 8-byte header (stream, 3 zero bytes, big-endian length) and that many bytes.
 */
export function demuxLog(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

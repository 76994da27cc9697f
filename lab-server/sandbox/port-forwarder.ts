/**
 * A TCP connection to a port inside a sandbox that has no network: the engine's
 * exec API carries the bytes, the way it carries the terminal. One exec per
 * connection runs a small forwarder inside the sandbox (perl, which the image has
 * as Debian's perl-base) that connects to 127.0.0.1:<port> in the learner's
 * network namespace and copies bytes both ways, binary-safe, with half-close.
 * The target address is fixed here, never the caller's: whatever a request asks
 * for, only the sandbox's own loopback is reachable, and from inside a container
 * started with `--network none` that is all there is.
 */
import { Duplex } from 'node:stream';

/** Exit status and first line of standard error when nothing accepts the connection. */
const REFUSED_EXIT = 3;
const CONNECTED = 'connected';

/**
 * The forwarder. It says `connected` (or `refused: <why>`) on standard error before
 * any byte of data, so that the server knows which it is before handing out a
 * connection; then it copies until the port's side closes. Standard input's end is
 * passed on as a half-close (shutdown of the write side), as a TCP proxy does.
 */
export const FORWARDER_SCRIPT = String.raw`
use strict; use IO::Socket::INET; use IO::Select;
my $port = $ARGV[0];
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 5);
if (!$s) { print STDERR "refused: $!\n"; exit ${REFUSED_EXIT}; }
syswrite(STDERR, "${CONNECTED}\n");
binmode STDIN; binmode STDOUT; binmode $s;
my $sel = IO::Select->new(\*STDIN, $s);
sub put { my ($to, $buf) = @_; my $off = 0; while ($off < length $buf) { my $w = syswrite($to, $buf, length($buf) - $off, $off); exit 0 unless defined $w; $off += $w; } }
while (1) {
  for my $fh ($sel->can_read) {
    my $n = sysread($fh, my $buf, 65536);
    if (!$n) {
      exit 0 if $fh == $s;
      $sel->remove($fh); shutdown($s, 1); next;
    }
    put($fh == $s ? \*STDOUT : $s, $buf);
  }
}
`;

/** The command that runs the forwarder for `port`; the caller enters the learner's network namespace. */
export function forwarderCommand(port: number): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`not a TCP port: ${port}`);
  return ['perl', '-e', FORWARDER_SCRIPT, String(port)];
}

/** Nothing accepted the connection on that port inside the sandbox. */
export class PortClosedError extends Error {
  readonly code = 'PORT_CLOSED';
  readonly port: number;
  constructor(port: number, detail: string) {
    super(`nothing listens on port ${port} in the sandbox (${detail})`);
    this.port = port;
  }
}

/**
 * A duplex over one forwarder exec's hijacked connection: writes go to its
 * standard input; its output arrives multiplexed (the engine's 8-byte frame
 * headers, no TTY so that bytes pass unchanged), standard output is what this
 * stream reads and standard error is the forwarder's status. Reading is paced by
 * the reader: a slow browser pauses the engine's socket, and so the forwarder.
 * It carries the few socket methods Node's HTTP client calls on a connection.
 */
export class ForwardedConnection extends Duplex {
  private readonly raw: Duplex;
  private pending: Buffer = Buffer.alloc(0);
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs = 0;
  /** The forwarder's standard error, as it comes (its first line is its status). */
  stderrText = '';

  constructor(raw: Duplex) {
    super({ allowHalfOpen: true });
    this.raw = raw;
    raw.on('data', (chunk: Buffer) => this.demux(chunk));
    raw.on('end', () => this.push(null));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => {
      if (!this.readableEnded) this.push(null);
    });
  }

  private demux(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size);
      const stream = this.pending[0];
      this.pending = this.pending.subarray(8 + size);
      if (stream === 2) {
        this.stderrText += payload.toString('utf8');
        this.emit('stderr');
      } else if (stream === 1) {
        this.armIdle();
        if (!this.push(payload)) this.raw.pause();
      }
    }
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.armIdle();
    this.raw.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    // Half-closes the hijacked connection: the forwarder reads EOF and shuts down its write side.
    this.raw.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.raw.destroy();
    done(error);
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.idleMs > 0) this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
  }

  /** As net.Socket's: 'timeout' after `ms` without a byte either way (the HTTP agent's idle keep-alive). */
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = ms;
    if (callback) this.once('timeout', callback);
    this.armIdle();
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/**
 * Waits for the forwarder to say whether it connected (its first line of standard
 * error), then hands out the connection; a refusal becomes PortClosedError.
 */
export function awaitForwarder(
  port: number,
  raw: Duplex,
  timeoutMs: number,
): Promise<ForwardedConnection> {
  const connection = new ForwardedConnection(raw);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      raw.off('end', onClose);
      connection.off('stderr', onStatus);
      connection.off('close', onClose);
      if (!error) return resolve(connection);
      connection.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => settle(new Error(`the sandbox did not open port ${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onStatus = () => {
      const newline = connection.stderrText.indexOf('\n');
      if (newline < 0) return;
      const line = connection.stderrText.slice(0, newline);
      settle(
        line === CONNECTED ? undefined : new PortClosedError(port, line.replace(/^refused: /, '')),
      );
    };
    const onClose = () =>
      settle(new PortClosedError(port, connection.stderrText.trim() || 'the forwarder ended'));
    connection.on('stderr', onStatus);
    connection.on('close', onClose);
    // Nothing reads the stream yet; 'end' must still be seen to notice a forwarder that quit.
    raw.once('end', onClose);
  });
}

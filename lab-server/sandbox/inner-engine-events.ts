/**
 * Follows a sandbox's own Docker engine for live checks: one long-running
 * process in the sandbox, as the check user, streams the engine's events, and
 * only the actions that change what a check can see are passed on (a container
 * created, started, ended or removed; an image built, tagged or removed; a
 * volume or network made or removed). Reads (`docker ps`, `inspect`, `exec`)
 * are not events at all, or are filtered out by the engine itself.
 *
 * The process is curl on the engine's socket rather than `docker events`: the
 * same JSON lines from a smaller program (about 11 MB resident, shared libraries
 * counted, in each sandbox). The stream ends when the engine stops (or the process is killed);
 * it is reopened with backoff until `close()`.
 */
import type { Readable } from 'node:stream';
import type { EngineFollower, InnerEngineEvent } from './sandbox.ts';

/** The engine's action names that change state (Docker's events API; an image build ends in `tag`). */
export const STATE_CHANGES = [
  'create',
  'start',
  'die',
  'destroy',
  'rename',
  'update',
  'tag',
  'untag',
  'delete',
  'import',
  'load',
  'prune',
  'connect',
  'disconnect',
  // `health_status: healthy`: sent when a container's health changes, which checks look at.
  'health_status',
] as const;

/** Where `enter check` puts the engine (images/sandbox/rootfs/usr/lib/drydock/enter). */
const ENGINE_SOCKET = '/run/drydock/engine.sock';

/** The command run in the sandbox (after `enter check`); it prints one JSON event per line. */
export function followCommand(): string[] {
  const filters = encodeURIComponent(JSON.stringify({ event: STATE_CHANGES }));
  return [
    'curl',
    '--silent',
    '--no-buffer',
    '--unix-socket',
    ENGINE_SOCKET,
    `http://engine/events?filters=${filters}`,
  ];
}

/** One line of the stream as an event, or undefined for anything else. */
export function parseEngineEvent(line: string): InnerEngineEvent | undefined {
  try {
    const event = JSON.parse(line) as { Type?: unknown; Action?: unknown };
    if (typeof event.Type !== 'string' || typeof event.Action !== 'string') return undefined;
    // `health_status: healthy` is one action with its detail; the engine matches the prefix.
    const action = event.Action.split(':')[0]!;
    if (!(STATE_CHANGES as readonly string[]).includes(action)) return undefined;
    return { type: event.Type, action };
  } catch {
    return undefined;
  }
}

/** An opened stream: its standard output, and what ends it. */
export interface OpenedStream {
  output: Readable;
  stop(): void;
}

/**
 * Keeps `open()`'s stream followed: each line parsed, and a stream that ends (or
 * fails to open) opened again after a backoff of 1 s doubling up to 30 s, reset
 * by a stream that delivered an event.
 */
export function followEngineEvents(
  open: () => Promise<OpenedStream>,
  onChange: (event: InnerEngineEvent) => void,
): EngineFollower {
  let closed = false;
  let current: OpenedStream | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 1000;

  const again = () => {
    current = undefined;
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void start();
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, 30_000);
  };

  const start = async () => {
    let opened: OpenedStream;
    try {
      opened = await open();
    } catch {
      return again();
    }
    if (closed) return opened.stop();
    current = opened;
    let buffered = '';
    opened.output.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        const event = line ? parseEngineEvent(line) : undefined;
        if (!event) continue;
        delay = 1000;
        onChange(event);
      }
    });
    let ended = false;
    const onEnd = () => {
      if (ended) return;
      ended = true;
      again();
    };
    opened.output.once('end', onEnd);
    opened.output.once('close', onEnd);
    opened.output.once('error', onEnd);
  };

  void start();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      current?.stop();
      current = undefined;
    },
  };
}

/**
 * Follows the outer engine's events for one owner's sandbox containers (die,
 * oom, destroy), so that a sandbox the engine ended (killed, out of memory,
 * engine restarted) ends its session with a reason. A lost stream is reopened
 * with backoff; `onConnected` runs after every (re)open so that the caller can
 * compare its sessions with what runs, covering events missed while offline.
 */
import type Docker from 'dockerode';
import type { SandboxEvent } from './sandbox.ts';

const ACTIONS = ['die', 'oom', 'destroy'] as const;

export function watchSandboxEvents(
  docker: Docker,
  filter: { label: string[] },
  onEvent: (event: SandboxEvent) => void,
  onConnected: () => void,
): { close(): void; drop(): void } {
  let closed = false;
  let stream: NodeJS.ReadableStream | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 500;

  const reopen = () => {
    stream = undefined;
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void open();
    }, delay);
    retry.unref();
    delay = Math.min(delay * 2, 10_000);
  };

  const open = async () => {
    try {
      const s = await docker.getEvents({
        filters: { type: ['container'], event: [...ACTIONS], label: filter.label },
      });
      if (closed) return void (s as unknown as { destroy(): void }).destroy();
      stream = s;
      delay = 500;
      let buffered = '';
      s.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          try {
            const event = JSON.parse(line) as { Action?: string; Actor?: { ID?: string } };
            const action = ACTIONS.find((a) => a === event.Action);
            if (action && event.Actor?.ID) onEvent({ containerId: event.Actor.ID, action });
          } catch {
            // A line that is not JSON is not an event we act on.
          }
        }
      });
      s.once('end', reopen);
      s.once('close', reopen);
      s.once('error', reopen);
      onConnected();
    } catch {
      reopen();
    }
  };

  void open();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      (stream as unknown as { destroy?(): void } | undefined)?.destroy?.();
    },
    /** For tests: drops the stream as a network fault would. */
    drop() {
      (stream as unknown as { destroy?(): void } | undefined)?.destroy?.();
    },
  };
}

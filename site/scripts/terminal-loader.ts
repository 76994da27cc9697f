/**
 * The lab page's terminal code, fetched when a lab opens (Start, or a reload
 * that finds a live session) rather than with the page: xterm.js with its
 * addons and CSS, the terminal socket and the session's connection are most of
 * the page's JavaScript, and a learner who only reads the instructions never
 * needs them. Lighthouse counts every byte the page loads before it settles
 * (docs/benchmarks.md, `npm run bench:lighthouse`). Start asks for the code
 * and the sandbox at once, so the download hides behind the sandbox's start.
 *
 * One load per page; a failed one (a dropped connection) is tried afresh by
 * the next call.
 */
import type { createTerminal } from './lab-terminal.ts';
import type { SessionConnection } from './session-connection.ts';

export interface TerminalCode {
  createTerminal: typeof createTerminal;
  SessionConnection: typeof SessionConnection;
}

let loading: Promise<TerminalCode> | undefined;

export function loadTerminal(): Promise<TerminalCode> {
  if (!loading) {
    const attempt = Promise.all([
      import('./lab-terminal.ts'),
      import('./session-connection.ts'),
    ]).then(([terminal, connection]) => ({
      createTerminal: terminal.createTerminal,
      SessionConnection: connection.SessionConnection,
    }));
    loading = attempt;
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

/**
 * A session's terminals (docs/api.md, "More than one terminal"): each one its
 * own shell in the sandbox, numbered from 1, addressed on the terminal
 * WebSocket by `?terminal=<number>` (no parameter: terminal 1, so clients that
 * know of one terminal keep working) and listed, opened and closed under
 * `/api/sessions/:id/terminals`. Free of Node-only APIs: the browser bundles it.
 */
import * as z from 'zod/mini';

/** The first terminal: opened with the session, never closed, the one staff watch. */
export const FIRST_TERMINAL = 1;
/** No server allows more (DRYDOCK_TERMINALS_PER_SESSION is at most this). */
export const MAX_TERMINAL_NUMBER = 20;

/** A terminal number as the query string or a path writes it: 1-20, no sign, no leading zero. */
export const TERMINAL_NUMBER = /^(?:[1-9]|1\d|20)$/;

export const TerminalNumberSchema = z.int().check(z.minimum(1), z.maximum(MAX_TERMINAL_NUMBER));

/**
 * `undefined` (no parameter) is the first terminal; anything but a number
 * 1-20 written plainly is `undefined`'s opposite: `null`, refused by the server.
 */
export function parseTerminalNumber(value: string | undefined): number | null {
  if (value === undefined) return FIRST_TERMINAL;
  return TERMINAL_NUMBER.test(value) ? Number(value) : null;
}

export const OpenTerminalSchema = z.object({
  number: TerminalNumberSchema,
  /** WebSockets attached to it now (pages showing it). */
  attached: z.int().check(z.nonnegative()),
  /**
   * The program in the foreground of its shell when it is not the shell
   * itself (`sleep`, `less`, `docker`): closing the terminal would end it.
   */
  running: z.optional(z.string()),
});
export type OpenTerminal = z.infer<typeof OpenTerminalSchema>;

/** `GET /api/sessions/:id/terminals`: the open terminals by number, and how many may be. */
export const TerminalListSchema = z.object({
  terminals: z.array(OpenTerminalSchema),
  limit: z.int().check(z.positive()),
});
export type TerminalList = z.infer<typeof TerminalListSchema>;

/** `POST /api/sessions/:id/terminals`: the terminal just opened. */
export const OpenedTerminalSchema = z.object({ number: TerminalNumberSchema });
export type OpenedTerminal = z.infer<typeof OpenedTerminalSchema>;

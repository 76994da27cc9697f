/**
 * What every verb shares: the failure that carries an exit code, JSON or text
 * output, sizes and ages in words, a plain table, and a logger for domain code
 * that logs progress (image builds), written to stderr so stdout stays data.
 */
import { InvalidArgumentError } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import pretty from 'pino-pretty';

/** Exit codes: 1 a check or an action failed, 2 the command line was wrong. */
export const EXIT = { failed: 1, usage: 2 } as const;

/** A failure the user can act on: printed as one message, no stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(unit === 0 || n >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatAge(since: Date, now = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** Columns padded to their widest cell; the last column is left ragged. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Progress lines of domain code (image builds) on stderr; quiet with --json unless it fails. */
export function stderrLogger(level: 'info' | 'warn' | 'silent' = 'info'): FastifyBaseLogger {
  const stream = pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname',
  });
  return pino({ level }, stream);
}

/** Commander option parser for a whole number of at least `min`. */
export function intAtLeast(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`use a whole number from ${min} up`);
    return n;
  };
}

/**
 * Runs `cleanup` (removing the sandboxes a verb started) when the operator presses
 * Ctrl-C or the process is told to stop, then exits 130; returns the undo.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  const handler = () => {
    console.error('interrupted: removing what this command started…');
    void cleanup()
      .catch((error: unknown) => console.error(`cleaning up failed: ${(error as Error).message}`))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

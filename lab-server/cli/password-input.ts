/**
 * Reads a new password for `drydock users add | passwd`: typed at a prompt
 * that does not echo it when stdin is a terminal (asked twice), or the first
 * line of stdin when it is piped (`printf '%s\n' "$PW" | drydock users add …`).
 * Never from the command line, where it would stay in the shell's history and
 * be visible to every user of the host in `ps`.
 */
import type { Readable, Writable } from 'node:stream';
import { CliError, EXIT } from './output.ts';

interface Terminal extends Readable {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
}

export interface PasswordIo {
  stdin: Terminal;
  /** The prompt goes to stderr, so that stdout stays the command's data. */
  stderr: Writable;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACES = new Set(['\u007f', '\b']);

/** One line typed without echo; Ctrl-C interrupts (exit 130), as at any prompt. */
function promptHidden(io: PasswordIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (settle: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      settle();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === CTRL_C) return done(() => reject(new CliError('interrupted', 130)));
        if (char === CTRL_D && typed === '')
          return done(() => reject(new CliError('no password typed', EXIT.usage)));
        if (BACKSPACES.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function firstLine(stdin: Readable): Promise<string | undefined> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) {
    text += chunk as string;
    if (text.includes('\n')) break;
  }
  const line = text.split('\n')[0]?.replace(/\r$/, '');
  return line === undefined || line === '' ? undefined : line;
}

export async function readNewPassword(
  username: string,
  io: PasswordIo = { stdin: process.stdin, stderr: process.stderr },
): Promise<string> {
  if (!io.stdin.isTTY) {
    const line = await firstLine(io.stdin);
    if (line === undefined)
      throw new CliError(
        `no password on stdin: type it at the prompt (run in a terminal), or pipe it, e.g. printf '%s\\n' "$PASSWORD" | drydock users …`,
        EXIT.usage,
      );
    return line;
  }
  const first = await promptHidden(io, `New password for ${username}: `);
  const again = await promptHidden(io, 'The same password again: ');
  if (first !== again) throw new CliError('the two passwords differ; nothing was changed');
  return first;
}

/** Runs the `drydock` operator command as a user would: a separate process, real exit code and output. */
import { spawn } from 'node:child_process';
import { ROOT } from './platform.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `input`: what the command reads on stdin (a pipe); without it, stdin is empty. */
export function drydock(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}lab-server/cli/main.ts`, ...args], {
      cwd: ROOT,
      // The test's own environment (DRYDOCK_OLD_IMAGES, DRYDOCK_SANDBOX_PROFILE...) passes on, overridden by `env`.
      env: { ...process.env, DRYDOCK_LOG_LEVEL: 'warn', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

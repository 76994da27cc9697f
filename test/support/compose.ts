/**
 * Runs Docker Compose on the repository's compose.yaml the way an operator
 * would: `docker compose` (v2) where the CLI plugin exists, else Debian 12's
 * `docker-compose` (1.29), which `scripts/drydock test` installs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './platform.ts';

const run = promisify(execFile);

function works(command: string[]): boolean {
  try {
    execFileSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Compose command this machine has. */
export function composeCommand(): string[] {
  if (works(['docker', 'compose'])) return ['docker', 'compose'];
  if (works(['docker-compose'])) return ['docker-compose'];
  throw new Error(
    'neither `docker compose` nor `docker-compose` works here: apt-get install docker-compose (Debian 12) or docker-compose-v2 (Ubuntu)',
  );
}

export interface ComposeProject {
  name: string;
  /** Runs `compose -p <name> <args>` in the repository with the project's environment. */
  run(args: string[], timeoutMs?: number): Promise<string>;
}

export function composeProject(name: string, env: Record<string, string>): ComposeProject {
  const [command, ...prefix] = composeCommand();
  return {
    name,
    async run(args, timeoutMs = 180_000) {
      try {
        const { stdout, stderr } = await run(
          command!,
          [...prefix, '--project-name', name, '--file', 'compose.yaml', ...args],
          {
            cwd: ROOT,
            env: { ...process.env, ...env },
            timeout: timeoutMs,
            maxBuffer: 16 * 1024 * 1024,
          },
        );
        return stdout + stderr;
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(
          `compose ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
          { cause: error },
        );
      }
    },
  };
}

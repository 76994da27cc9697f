/**
 * The connection to the outer Docker engine, and whether it answers. Docker's
 * transport quirks are translated here into one plain reason and one fix.
 */
import Docker from 'dockerode';

export function connect(dockerHost: string): Docker {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

export interface EngineStatus {
  available: boolean;
  /** Why labs are unavailable, in words a learner understands. */
  reason?: string;
  /** What an operator should do about it (logged, not shown to learners). */
  fix?: string;
  version?: string;
}

export async function probeEngine(docker: Docker, dockerHost: string): Promise<EngineStatus> {
  try {
    const version = await docker.version();
    return { available: true, version: version.Version };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = dockerHost.replace(/^unix:\/\//, '');
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      return {
        available: false,
        reason: 'No Docker engine is reachable from the lab server.',
        fix: `Nothing answers at ${where}. Start an engine (as root: \`dockerd &\`, or \`systemctl start docker\`), or set DOCKER_HOST; \`npm start\` installs and starts one when run as root on Debian.`,
      };
    }
    if (code === 'EACCES') {
      return {
        available: false,
        reason: 'The lab server is not allowed to use the Docker engine.',
        fix: `Permission denied on ${where}: run the server as a user in the docker group, or as root.`,
      };
    }
    return {
      available: false,
      reason: 'The Docker engine did not answer.',
      fix: `Asking ${where} for its version failed: ${(error as Error).message}`,
    };
  }
}

/** Docker answers 404 for "already gone" and 409 for "removal already in progress" or "in use": callers that remove things treat both as done. */
export async function ignoreGone(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error;
  }
}

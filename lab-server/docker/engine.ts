/**
 * The connection to the outer Docker engine, and whether it answers. Docker's
 * transport quirks are translated here into one plain reason and one fix.
 */
import Docker from 'dockerode';
import type { EngineTarget } from '../config.ts';
import { checkHostKey } from './known-hosts.ts';

/** A dockerode client for DOCKER_HOST, with TLS when DOCKER_TLS_VERIFY asked for it. */
export function connect(engine: EngineTarget): Docker {
  const url = new URL(engine.host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (engine.ssh) {
    const ssh = engine.ssh;
    return new Docker({
      protocol: 'ssh',
      host: ssh.host,
      port: ssh.port,
      username: ssh.username,
      sshOptions: {
        ...(ssh.agent ? { agent: ssh.agent } : { privateKey: ssh.privateKey }),
        // ssh2 would accept any host key: only the one known_hosts records will do.
        hostVerifier: (key: Buffer) =>
          checkHostKey(ssh.knownHosts, ssh.host, ssh.port, key) === 'known',
        readyTimeout: 15_000,
      },
    });
  }
  if (engine.tls) {
    const { ca, cert, key } = engine.tls;
    return new Docker({ host, port: Number(url.port || 2376), protocol: 'https', ca, cert, key });
  }
  return new Docker({ host, port: Number(url.port || 2375), protocol: 'http' });
}

/**
 * The loud warning for an engine reached over plain TCP: whoever can reach that
 * port owns the engine and the host under it, and sees every learner's terminal.
 */
export function insecureEngineWarning(engine: EngineTarget): string | undefined {
  if (!engine.host.startsWith('tcp://') || engine.tls) return undefined;
  return `DOCKER_HOST=${engine.host} is plain TCP without TLS: anyone who can reach that port controls the engine (root on its host) and can read every learner's terminal. Protect the engine with TLS and set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (docs/deploying.md).`;
}

/** ssh2's failures, as what to do about them. */
function sshFailure(error: Error, engine: EngineTarget): string | undefined {
  const ssh = engine.ssh;
  if (!ssh) return undefined;
  const message = error.message;
  if (/verification failed|Host denied/i.test(message))
    return `the host key of ${ssh.host}:${ssh.port} is not the one ${ssh.knownHostsFile} records for it (or it has no entry there). If the host was reinstalled, check the new key's fingerprint, then: ssh-keygen -R '${ssh.port === 22 ? ssh.host : `[${ssh.host}]:${ssh.port}`}' and connect once with ssh to accept it.`;
  if (/authentication methods failed/i.test(message))
    return `${ssh.username}@${ssh.host} did not accept ${ssh.agent ? 'the keys of the ssh agent (SSH_AUTH_SOCK)' : 'the key in ~/.ssh'}: add its public key to ~${ssh.username}/.ssh/authorized_keys there.`;
  if (/dial-stdio|docker: not found|command not found/i.test(message))
    return `the docker CLI on ${ssh.host} could not reach its engine (\`docker system dial-stdio\` failed): is ${ssh.username} in the docker group there?`;
  return undefined;
}

/** Node's TLS error codes, as what went wrong with which file. */
function tlsFailure(code: string | undefined, engine: EngineTarget): string | undefined {
  const path = engine.tls?.certPath ?? 'DOCKER_CERT_PATH';
  if (!code) return undefined;
  if (
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'CERT_SIGNATURE_FAILURE',
    ].includes(code)
  )
    return `the engine's certificate is not signed by the CA in ${path}/ca.pem (DOCKER_CERT_PATH; ${code}). Put the CA that signed the engine's certificate there.`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the engine's certificate does not name the host in DOCKER_HOST (${engine.host}). Use the name the certificate was issued for, or reissue it with that name.`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the engine's certificate is not valid now (${code}).`;
  if (/^ERR_SSL_.*(ALERT|CERTIFICATE)/.test(code) || code === 'ECONNRESET')
    return `the engine closed the TLS connection (${code}): it did not accept this client's certificate, ${path}/cert.pem (DOCKER_CERT_PATH). Use a client certificate signed by the CA the engine trusts (its --tlscacert).`;
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_'))
    return `the TLS handshake failed (${code}): is DOCKER_HOST the engine's TLS port, and does it expect TLS?`;
  return undefined;
}

export interface EngineStatus {
  available: boolean;
  /** Why labs are unavailable, in words a learner understands. */
  reason?: string;
  /** What an operator should do about it (logged, not shown to learners). */
  fix?: string;
  version?: string;
}

export async function probeEngine(docker: Docker, engine: EngineTarget): Promise<EngineStatus> {
  try {
    const version = await docker.version();
    return { available: true, version: version.Version };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = engine.host.replace(/^unix:\/\//, '');
    const ssh = sshFailure(error as Error, engine);
    if (ssh)
      return {
        available: false,
        reason: 'The lab server could not reach its Docker engine over ssh.',
        fix: `ssh to ${where} failed: ${ssh}`,
      };
    const tls = engine.tls ? tlsFailure(code, engine) : undefined;
    if (tls)
      return {
        available: false,
        reason: 'The lab server could not connect to its Docker engine securely.',
        fix: `TLS to ${where} failed: ${tls}`,
      };
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
        fix: `Permission denied on ${where}: run the server as a user in the docker group, or as root (in the compose deployment, set DOCKER_GID to the socket's group: stat -c %g ${where}).`,
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

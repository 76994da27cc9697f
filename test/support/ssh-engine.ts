/**
 * This machine's engine behind a real OpenSSH server on a loopback port, the
 * way `DOCKER_HOST=ssh://` reaches a remote one: sshd (Debian's openssh-server)
 * with a host key of its own, a client key made by ssh-keygen in a temporary
 * HOME, and known_hosts files that do and do not record the host key.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listening } from './tls-engine.ts';

export interface SshEngine extends AsyncDisposable {
  /** DOCKER_HOST: ssh://<this user>@127.0.0.1:<port> */
  dockerHost: string;
  /** HOME folders: ~/.ssh with the client key and a known_hosts file... */
  homes: {
    /** ...that records the server's host key. */
    good: string;
    /** ...that records another key for the same host (a changed host, or a man in the middle). */
    changedKey: string;
  };
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

export async function startSshEngine(): Promise<SshEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-ssh-'));
  const port = await freePort();
  const hostKey = keygen(join(dir, 'host_key'));
  const otherHostKey = keygen(join(dir, 'other_host_key'));
  const clientKey = keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`, { mode: 0o600 });
  const home = (name: string, knownKey: string) => {
    const ssh = join(dir, name, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    writeFileSync(join(ssh, 'id_ed25519'), readFileSync(join(dir, 'client_key')), { mode: 0o600 });
    const [type, blob] = knownKey.split(' ');
    writeFileSync(join(ssh, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${blob}\n`);
    return join(dir, name);
  };
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      `AllowUsers ${userInfo().username}`,
      '',
    ].join('\n'),
  );
  // sshd's privilege separation directory; Debian's service creates it at boot.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  sshd.stderr?.on('data', (chunk) => (log += chunk));
  const stop = async () => {
    sshd.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening(port, sshd);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; sshd said:\n${log}`, { cause: error });
  }
  return {
    dockerHost: `ssh://${userInfo().username}@127.0.0.1:${port}`,
    homes: { good: home('good', hostKey), changedKey: home('changed-key', otherHostKey) },
    [Symbol.asyncDispose]: stop,
  };
}

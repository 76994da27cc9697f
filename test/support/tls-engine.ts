/**
 * A real TLS endpoint in front of the machine's Docker engine, the way a remote
 * engine is exposed (`dockerd --tlsverify`): socat terminates TLS with a
 * server certificate from a test CA, demands a client certificate from the
 * same CA, and forwards to /var/run/docker.sock. Certificates come from
 * openssl, in a temporary folder laid out as DOCKER_CERT_PATH expects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateRequest, openssl, selfSigned } from './certificates.ts';
import { freePort } from './network.ts';

export { freePort };

/** A self-signed CA: <name>.pem and <name>-key.pem. */
function makeCa(dir: string, name: string): void {
  selfSigned(dir, { cert: `${name}.pem`, key: `${name}-key.pem` }, { cn: name, days: 2 });
}

/** A certificate signed by `ca`: <name>-cert.pem and <name>-key.pem. */
function makeCert(dir: string, ca: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  certificateRequest(dir, { csr: `${name}.csr`, key: `${name}-key.pem` }, name);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}-key.pem`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}-cert.pem`,
  ]);
}

export async function listening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.spawnfile} did not listen on ${port}`);
}

export interface TlsEngine extends AsyncDisposable {
  /** DOCKER_HOST for the TLS endpoint. */
  tlsHost: string;
  /** DOCKER_HOST for a plain TCP endpoint to the same engine. */
  plainHost: string;
  /** DOCKER_CERT_PATH folders: the right one, and the ways it goes wrong. */
  certPaths: {
    good: string;
    /** ca.pem is another CA: the engine's certificate does not verify. */
    wrongCa: string;
    /** cert.pem is signed by a CA the engine does not trust. */
    foreignClient: string;
    /** ca.pem only. */
    noClientCert: string;
  };
}

export async function startTlsEngine(): Promise<TlsEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeCert(
    dir,
    'ca',
    'engine',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  makeCert(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  makeCert(dir, 'other-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  const certPath = (name: string, ca: string, client?: string) => {
    const path = join(dir, name);
    mkdirSync(path);
    copyFileSync(join(dir, `${ca}.pem`), join(path, 'ca.pem'));
    if (client) {
      copyFileSync(join(dir, `${client}-cert.pem`), join(path, 'cert.pem'));
      copyFileSync(join(dir, `${client}-key.pem`), join(path, 'key.pem'));
    }
    return path;
  };
  const tlsPort = await freePort();
  const plainPort = await freePort();
  const children = [
    spawn(
      'socat',
      [
        `OPENSSL-LISTEN:${tlsPort},bind=127.0.0.1,reuseaddr,fork,cert=${join(dir, 'engine-cert.pem')},key=${join(dir, 'engine-key.pem')},cafile=${join(dir, 'ca.pem')},verify=1`,
        'UNIX-CONNECT:/var/run/docker.sock',
      ],
      { stdio: 'ignore' },
    ),
    spawn(
      'socat',
      [
        `TCP-LISTEN:${plainPort},bind=127.0.0.1,reuseaddr,fork`,
        'UNIX-CONNECT:/var/run/docker.sock',
      ],
      { stdio: 'ignore' },
    ),
  ];
  const stop = async () => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listening(tlsPort, children[0]!);
    await listening(plainPort, children[1]!);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    tlsHost: `tcp://127.0.0.1:${tlsPort}`,
    plainHost: `tcp://127.0.0.1:${plainPort}`,
    certPaths: {
      good: certPath('good', 'ca', 'client'),
      wrongCa: certPath('wrong-ca', 'other-ca', 'client'),
      foreignClient: certPath('foreign-client', 'ca', 'stranger'),
      noClientCert: certPath('no-client-cert', 'ca'),
    },
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Certificates for tests that run TLS for real (nginx in front of the server,
 * socat in front of the engine), made by openssl in a folder of the test's own.
 * Elliptic-curve keys: quick to make, and what a current operator would use.
 */
import { execFileSync } from 'node:child_process';

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed certificate (a CA, or a server's own) and its key, valid for `days`. */
export function selfSigned(
  dir: string,
  files: { cert: string; key: string },
  options: { cn: string; days: number; subjectAltName?: string },
): void {
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    String(options.days),
    '-subj',
    `/CN=${options.cn}`,
    ...(options.subjectAltName ? ['-addext', `subjectAltName=${options.subjectAltName}`] : []),
    '-keyout',
    files.key,
    '-out',
    files.cert,
  ]);
}

/** A key and a certificate request for `cn`, to be signed by a CA. */
export function certificateRequest(
  dir: string,
  files: { csr: string; key: string },
  cn: string,
): void {
  openssl(dir, ['req', ...EC_KEY, '-subj', `/CN=${cn}`, '-keyout', files.key, '-out', files.csr]);
}

/**
 * Whether an ssh host key is the one OpenSSH's known_hosts file records for a
 * host. ssh2, which dockerode uses for ssh://, accepts any host key unless told
 * otherwise; the docker CLI's ssh checks known_hosts, and so do we. Plain and
 * hashed (`|1|salt|hmac`) host names are understood, as are `[host]:port`
 * entries and the @revoked marker; wildcard patterns and @cert-authority lines
 * are not, and match nothing.
 */
import { createHmac } from 'node:crypto';

export type HostKeyVerdict = 'known' | 'changed' | 'unknown' | 'revoked';

/** How known_hosts names a host: bare on port 22, `[host]:port` otherwise. */
function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function namesMatch(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  return pattern === name;
}

export function checkHostKey(
  knownHosts: string,
  host: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = hostName(host, port);
  const offered = key.toString('base64');
  let sawHost = false;
  let known = false;
  // Every line is read: a @revoked line anywhere overrides a line that records the key.
  for (const raw of knownHosts.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    const [patterns, , blob] = fields;
    if (!patterns || !blob) continue;
    if (!patterns.split(',').some((pattern) => namesMatch(pattern, name))) continue;
    if (marker === '@revoked') {
      if (blob === offered) return 'revoked';
      continue;
    }
    if (marker) continue;
    sawHost = true;
    if (blob === offered) known = true;
  }
  if (known) return 'known';
  return sawHost ? 'changed' : 'unknown';
}

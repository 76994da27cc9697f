/**
 * The host key check for ssh:// engines against known_hosts files as OpenSSH
 * writes them: keys from ssh-keygen, hashed names from `ssh-keygen -H`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkHostKey } from '../../lab-server/docker/known-hosts.ts';

const dir = mkdtempSync(join(tmpdir(), 'drydock-known-hosts-'));
function key(name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  const [type, base64] = readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ');
  return { line: `${type} ${base64}`, blob: Buffer.from(base64!, 'base64') };
}
const engine = key('engine');
const other = key('other');

describe('known_hosts', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('knows a host by name on port 22 and by [name]:port elsewhere', () => {
    const file = `engine.example.org ${engine.line}\n[10.0.0.5]:2222 ${engine.line}\n`;
    assert.equal(checkHostKey(file, 'engine.example.org', 22, engine.blob), 'known');
    assert.equal(checkHostKey(file, '10.0.0.5', 2222, engine.blob), 'known');
    assert.equal(checkHostKey(file, '10.0.0.5', 22, engine.blob), 'unknown');
    assert.equal(checkHostKey(file, 'engine.example.org', 2222, engine.blob), 'unknown');
  });

  it('says a recorded host offering another key has changed', () => {
    const file = `# comment\n\nengine.example.org,10.0.0.5 ${engine.line}\n`;
    assert.equal(checkHostKey(file, '10.0.0.5', 22, other.blob), 'changed');
  });

  it('reads names hashed by ssh-keygen -H', () => {
    const path = join(dir, 'known_hosts');
    writeFileSync(path, `engine.example.org ${engine.line}\n[10.0.0.5]:2222 ${other.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path], { stdio: 'ignore' });
    const hashed = readFileSync(path, 'utf8');
    assert.doesNotMatch(hashed, /engine\.example\.org|10\.0\.0\.5/);
    assert.equal(checkHostKey(hashed, 'engine.example.org', 22, engine.blob), 'known');
    assert.equal(checkHostKey(hashed, '10.0.0.5', 2222, other.blob), 'known');
    assert.equal(checkHostKey(hashed, '10.0.0.5', 2222, engine.blob), 'changed');
  });

  it('refuses a key marked @revoked even when another line records it', () => {
    const file = `engine.example.org ${engine.line}\n@revoked engine.example.org ${engine.line}\n`;
    assert.equal(checkHostKey(file, 'engine.example.org', 22, engine.blob), 'revoked');
  });
});

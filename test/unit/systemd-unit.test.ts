/**
 * deploy/systemd/drydock.service as systemd itself reads it: `systemd-analyze
 * verify` parses every directive (a misspelt or unsupported one is reported and
 * would be ignored at run time) and checks that ExecStart can run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/platform.ts';

const run = promisify(execFile);
const UNIT = join(ROOT, 'deploy', 'systemd', 'drydock.service');

describe('the systemd unit', () => {
  it('passes systemd-analyze verify without a single complaint', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', UNIT]);
    assert.equal(stdout + stderr, '');
  });

  it('finds a Node that runs .ts files on its PATH, for this machine’s architecture', async () => {
    const unit = readFileSync(UNIT, 'utf8');
    const path = /^Environment=PATH=(.+)$/m.exec(unit)?.[1];
    assert.ok(path, 'the unit sets PATH');
    const { stdout } = await run('/usr/bin/env', [
      `PATH=${path.replaceAll('/opt/drydock', ROOT.replace(/\/$/, ''))}`,
      'node',
      '-e',
      'console.log(process.features.typescript)',
    ]);
    assert.equal(stdout.trim(), 'strip');
  });
});

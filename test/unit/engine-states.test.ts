/**
 * Which saved engine states a server removes when it starts: its own kind's old
 * versions and removed labs at once; another kind's (another server sharing the
 * state directory, with another profile or sandbox image) only once unused for a day.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { Lab } from '../../lab-format/load.ts';
import { EngineStates, OTHER_KINDS_KEPT_MS } from '../../lab-server/sessions/engine-states.ts';
import { FakeProvider } from '../support/fake-sandbox.ts';

const lab = (slug: string) => ({ slug, manifest: { prepare: 'prepare.sh' } }) as unknown as Lab;
const ROOTLESS = 'drydock/sandbox:1 rootless';
const DIND = 'drydock/sandbox:1 dind';

describe('saved engine states, when a server starts', () => {
  let stateDir: string;
  let version: string;
  const states = (sandboxKey: string) =>
    new EngineStates({
      stateDir,
      provider: new FakeProvider(),
      imagesFor: async () => [],
      labVersion: () => version,
      sandboxKey,
      setupTimeoutMs: 1000,
      log: pino({ level: 'silent' }),
    });
  /** Writes the state a server of this kind would use for the lab now, last used `ageMs` ago. */
  const save = (sandboxKey: string, slug: string, ageMs = 0) => {
    const file = states(sandboxKey).fileFor(lab(slug));
    writeFileSync(file, 'state');
    const at = new Date(Date.now() - ageMs);
    utimesSync(file, at, at);
    return basename(file);
  };
  const files = () => readdirSync(join(stateDir, 'engine-states')).sort();

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'drydock-states-'));
    mkdirSync(join(stateDir, 'engine-states'));
    version = 'v1';
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('removes its own kind’s states of old versions and of removed labs, and keeps the current one', () => {
    const old = save(ROOTLESS, 'web');
    const removedLab = save(ROOTLESS, 'gone');
    version = 'v2';
    const current = save(ROOTLESS, 'web');
    states(ROOTLESS).removeStale([lab('web')]);
    assert.deepEqual(files(), [current]);
    assert.notEqual(old, current);
    assert.ok(!files().includes(removedLab));
  });

  it('keeps another kind’s state used within a day, for the server that uses it', () => {
    const theirs = save(DIND, 'web', OTHER_KINDS_KEPT_MS - 60_000);
    const ours = save(ROOTLESS, 'web');
    states(ROOTLESS).removeStale([lab('web')]);
    assert.deepEqual(files(), [ours, theirs].sort());
  });

  it('removes another kind’s state unused for a day, and one named as before kinds were', () => {
    save(DIND, 'web', OTHER_KINDS_KEPT_MS + 60_000);
    writeFileSync(join(stateDir, 'engine-states', 'web-0123456789abcdef.tar'), 'state');
    const ours = save(ROOTLESS, 'web');
    states(ROOTLESS).removeStale([lab('web')]);
    assert.deepEqual(files(), [ours]);
  });

  it('marks a state as used when a session starts from it', async () => {
    const theirs = save(DIND, 'web', OTHER_KINDS_KEPT_MS + 60_000);
    const file = await states(DIND).stateFor(lab('web'));
    assert.equal(basename(file!), theirs);
    assert.ok(Date.now() - statSync(file!).mtimeMs < 60_000, 'its time is now');
    states(ROOTLESS).removeStale([lab('web')]);
    assert.ok(files().includes(theirs));
  });

  it('leaves a state being written alone', () => {
    writeFileSync(join(stateDir, 'engine-states', 'web-x.tar.123.partial'), 'half');
    states(ROOTLESS).removeStale([]);
    assert.deepEqual(files(), ['web-x.tar.123.partial']);
  });
});

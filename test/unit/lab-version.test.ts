/**
 * A lab's version says what its set-up sandboxes were made from. A warm sandbox
 * or a prepared engine state of another version is replaced, so anything its
 * scripts run with must change it, the shared helpers in labs/_lib included.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentSources } from '../../lab-format/content-packs.ts';
import { LabCatalog } from '../../lab-server/labs/catalog.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

describe('lab versions', () => {
  it('changes with the lab’s files and with the shared script helpers, and only then', () => {
    using root = tempRoot();
    const dir = root.writeLab('tiny', GOOD_MANIFEST);
    mkdirSync(join(root.labsDir, '_lib'));
    writeFileSync(join(root.labsDir, '_lib', 'check.sh'), 'pass() { exit 0; }\n');
    const version = () => {
      const catalog = new LabCatalog(contentSources(root.root, ''));
      return catalog.version(catalog.lab('tiny')!);
    };
    const first = version();
    assert.match(first, /^[0-9a-f]{16}$/);
    assert.equal(version(), first, 'the same files give the same version');

    writeFileSync(
      join(root.labsDir, '_lib', 'check.sh'),
      'pass() { exit 0; }\nfail() { exit 1; }\n',
    );
    const helpersChanged = version();
    assert.notEqual(helpersChanged, first, 'a changed helper in labs/_lib');

    writeFileSync(join(dir, 'setup.sh'), 'docker compose up -d --build\n');
    assert.notEqual(version(), helpersChanged, 'a changed setup script');
  });
});

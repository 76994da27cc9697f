/**
 * The dev loop's lab server reads labs again when an author edits them
 * (lab-server/labs/lab-watch.ts): the next Start sets up the lab as it now is,
 * from a new version (never a prepared state of the old one); an edit that
 * breaks a manifest is reported with its file and field while the last good
 * labs stay in use. And in dev mode nothing is set up ahead of a learner.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { stringify } from 'yaml';
import { contentSources } from '../../lab-format/content-packs.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { LabCatalog } from '../../lab-server/labs/catalog.ts';
import { watchLabs } from '../../lab-server/labs/lab-watch.ts';
import { GOOD_MANIFEST, tempRoot } from '../support/temp-lab.ts';

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the dev loop’s lab watch', () => {
  it('reads an edited lab again, with a new version; a broken edit leaves the last good lab in use', async () => {
    using root = tempRoot();
    const dir = root.writeLab('tiny', GOOD_MANIFEST);
    const catalog = new LabCatalog(contentSources(root.root, ''));
    let log = '';
    const logger = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => ((log += chunk), done()) }),
    );
    const watch = watchLabs(catalog, logger, 20);
    try {
      const before = catalog.version(catalog.lab('tiny')!);
      const renamed = { ...GOOD_MANIFEST, title: 'A tiny lab, edited' };
      writeFileSync(join(dir, 'lab.yaml'), stringify(renamed));
      await until(
        'the edit to be read',
        () => catalog.lab('tiny')?.manifest.title === renamed.title,
      );
      assert.notEqual(
        catalog.version(catalog.lab('tiny')!),
        before,
        'an edited lab is a new version',
      );
      assert.match(log, /labs reloaded: 1 lab\(s\)/);

      writeFileSync(join(dir, 'lab.yaml'), stringify({ ...renamed, difficulty: 'impossible' }));
      await until('the refusal', () => log.includes('labs not reloaded'));
      assert.match(log, /tiny\/lab\.yaml: difficulty/, 'the message names the file and the field');
      assert.equal(catalog.lab('tiny')?.manifest.title, renamed.title, 'the last good lab stays');

      const version = catalog.version(catalog.lab('tiny')!);
      writeFileSync(join(dir, 'lab.yaml'), stringify(renamed));
      writeFileSync(join(dir, 'checks/web-runs.sh'), 'docker ps | grep -q web\n');
      await until('the check script’s edit to give a new version', () => {
        const lab = catalog.lab('tiny');
        return lab !== undefined && catalog.version(lab) !== version;
      });
    } finally {
      watch.close();
    }
  });

  it('turns warm pools off in dev mode, whatever the pools say', () => {
    const config = loadConfig({
      DRYDOCK_DEV: '1',
      DRYDOCK_WARM_POOLS: 'named-volume-masks-image=2',
      DRYDOCK_WARM_MAX: '4',
    });
    assert.equal(config.dev, true);
    assert.deepEqual(config.warm.pools, {});
    assert.equal(config.warm.max, 0);
    assert.equal(loadConfig({}).dev, false, 'off unless DRYDOCK_DEV=1');
  });
});

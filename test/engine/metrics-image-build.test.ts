/**
 * The image build histogram, from a real build: a server whose images/ holds
 * the real sandbox recipe (already built, so found by its hash) and a tiny
 * recipe no engine has seen (a random marker in its context gives it a new
 * hash). Only the image that had to be built is timed. The `dind` profile
 * only keeps the feature probe quick on any host; isolation is not under test.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Docker from 'dockerode';
import { buildApp } from '../../lab-server/app.ts';
import { loadConfig } from '../../lab-server/config.ts';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { sample, scrape } from '../support/metrics-text.ts';
import { assertNothingLeft, newOwner, ROOT } from '../support/platform.ts';

describe('image build metrics', () => {
  const root = mkdtempSync(join(tmpdir(), 'drydock-metrics-'));
  const owner = newOwner();
  const docker = new Docker();
  let probeTag: string | undefined;

  after(async () => {
    if (probeTag)
      await docker
        .getImage(probeTag)
        .remove({ force: true })
        .catch(() => {});
    rmSync(root, { recursive: true, force: true });
    await assertNothingLeft(owner);
  });

  it('times the build of an image that was missing, and not the images that exist', async () => {
    mkdirSync(join(root, 'labs'));
    mkdirSync(join(root, 'images', 'metrics-probe'), { recursive: true });
    symlinkSync(join(ROOT, 'images', 'sandbox'), join(root, 'images', 'sandbox'));
    const probe = join(root, 'images', 'metrics-probe');
    writeFileSync(join(probe, 'image.json'), '{"name":"drydock/metrics-probe"}');
    writeFileSync(join(probe, 'marker'), randomBytes(16).toString('hex'));
    writeFileSync(join(probe, 'Dockerfile'), 'FROM scratch\nCOPY marker /marker\n');
    probeTag = loadImageCatalog(join(root, 'images')).find((r) => r.slug === 'metrics-probe')!.tag;

    const app = await buildApp(
      loadConfig({
        DRYDOCK_ROOT: root,
        DRYDOCK_OWNER: owner,
        DRYDOCK_LOG_LEVEL: process.env.DRYDOCK_TEST_LOG ?? 'silent',
        DRYDOCK_OLD_IMAGES: 'keep',
        DRYDOCK_SHUTDOWN: 'remove',
        DRYDOCK_SANDBOX_PROFILE: 'dind',
      }),
    );
    try {
      await app.ready();
      const status = await app.backend.whenSettled();
      assert.equal(status.state, 'ready', `labs must become ready, got: ${status.reason}`);
      const text = await scrape(app);
      assert.equal(
        sample(text, 'drydock_image_build_seconds_count', { image: 'metrics-probe' }),
        1,
      );
      assert.ok(sample(text, 'drydock_image_build_seconds_sum', { image: 'metrics-probe' })! > 0);
      assert.equal(
        sample(text, 'drydock_image_build_seconds_count', { image: 'sandbox' }),
        undefined,
        'the sandbox image existed already: nothing was built, nothing timed',
      );
    } finally {
      await app.close();
    }
  });
});

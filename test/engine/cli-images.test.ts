/**
 * `drydock images` against the real engine, on an image recipe of the test's
 * own (built on the repository's lab-base, under a repository name nobody else
 * uses), so that pruning and importing never touch another user's images on a
 * shared engine: list shows builds and users, export/import move an image
 * through one archive, and prune removes old builds and archives but never an
 * image a platform container uses.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';
import { LABEL, PLATFORM } from '../../lab-server/labels.ts';
import { drydock } from '../support/cli.ts';
import { newOwner, ROOT } from '../support/platform.ts';

const docker = new Docker();
const SLUG = 'cli-test';

interface Build {
  slug: string;
  tag: string;
  id: string;
  current: boolean;
  sizeBytes: number;
  usedBy: number;
}

describe('drydock images, on an image of the test’s own', () => {
  let root: string;
  const repo = `drydock-test/cli-${randomBytes(4).toString('hex')}`;
  const owner = newOwner('cli-images');
  const env = () => ({ DRYDOCK_ROOT: root });

  /** Writes the recipe with this marker (a new input hash) and builds it; returns its tag. */
  async function build(marker: string): Promise<string> {
    writeFileSync(join(root, 'images', SLUG, 'marker'), marker);
    const run = await drydock(['images', 'build', '--only', SLUG], env());
    assert.equal(run.code, 0, run.stderr);
    const tag = loadImageCatalog(join(root, 'images')).find((r) => r.slug === SLUG)!.tag;
    // Progress on stderr, the result on stdout.
    assert.ok(run.stderr.includes(`building ${tag} from images/${SLUG}/Dockerfile`), run.stderr);
    assert.match(run.stderr, new RegExp(`built ${tag} in [\\d.]+ s`));
    assert.match(run.stdout, new RegExp(`^1 image\\(s\\) ready in [\\d.]+ s: ${tag}$`, 'm'));
    return tag;
  }

  const list = async (): Promise<Build[]> => {
    const run = await drydock(['images', 'list', '--json'], env());
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { builds: Build[] }).builds.filter((b) => b.slug === SLUG);
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'drydock-cli-images-'));
    mkdirSync(join(root, 'images', SLUG), { recursive: true });
    for (const shared of ['sandbox', 'lab-base'])
      symlinkSync(join(ROOT, 'images', shared), join(root, 'images', shared));
    writeFileSync(
      join(root, 'images', SLUG, 'image.json'),
      JSON.stringify({ name: repo, buildArgs: { BASE: '@lab-base' } }),
    );
    writeFileSync(
      join(root, 'images', SLUG, 'Dockerfile'),
      'ARG BASE\nFROM ${BASE}\nCOPY marker /marker\nCMD ["sleep", "600"]\n',
    );
  });

  after(async () => {
    for (const c of await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.owner}=${owner}`] },
    }))
      await docker.getContainer(c.Id).remove({ force: true });
    for (const image of await docker.listImages({ filters: { reference: [repo] } }))
      for (const tag of image.RepoTags ?? [])
        await docker
          .getImage(tag)
          .remove({ force: true })
          .catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });

  it('leaves no untagged earlier build behind when an image is built again with --force', async () => {
    const tag = await build('force-again');
    const first = (await docker.getImage(tag).inspect()).Id;
    const run = await drydock(['images', 'build', '--only', SLUG, '--force'], env());
    assert.equal(run.code, 0, run.stderr);
    const second = (await docker.getImage(tag).inspect()).Id;
    assert.notEqual(second, first, 'a forced build makes a new image under the same tag');
    await assert.rejects(
      docker.getImage(first).inspect(),
      'the earlier build is removed, not left untagged where `images prune` cannot see it',
    );
    await docker.getImage(tag).remove();
  });

  it('moves an image to another engine’s state through one archive: export, remove, import', async () => {
    const tag = await build('export');
    const [built] = (await list()).filter((b) => b.current);
    assert.equal(built?.tag, tag);
    assert.ok(built.sizeBytes > 0);
    const archive = join(root, 'images.tar.gz');
    const exported = await drydock(['images', 'export', archive, '--only', SLUG, '--json'], env());
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual((JSON.parse(exported.stdout) as { tags: string[] }).tags, [tag]);
    await docker.getImage(tag).remove();
    assert.equal((await list()).length, 0, 'the image should be gone before the import');
    const imported = await drydock(['images', 'import', archive, '--json'], env());
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual((JSON.parse(imported.stdout) as { loaded: string[] }).loaded, [tag]);
    assert.equal((await docker.getImage(tag).inspect()).Id, built.id);
  });

  it('prunes older builds and old saved archives, but keeps the build a live sandbox container uses', async () => {
    const used = await build('prune-used');
    const container = await docker.createContainer({
      Image: used,
      Labels: { [LABEL.platform]: PLATFORM, [LABEL.owner]: owner },
    });
    await container.start();
    const unused = await build('prune-unused');
    const current = await build('prune-current');
    const builds = await list();
    assert.equal(builds.find((b) => b.tag === used)?.usedBy, 1);
    assert.equal(builds.find((b) => b.tag === current)?.current, true);

    const archives = join(root, '.drydock', 'images');
    mkdirSync(archives, { recursive: true });
    const hash = current.split(':')[1];
    const oldArchive = join(archives, `${SLUG}-000000000000.tar`);
    const currentArchive = join(archives, `${SLUG}-${hash}.tar`);
    writeFileSync(oldArchive, 'old');
    writeFileSync(currentArchive, 'current');

    const run = await drydock(['images', 'prune', '--json'], env());
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      removed: string[];
      kept: { tag: string; why: string }[];
      removedArchives: string[];
    };
    assert.ok(result.removed.includes(unused), `not removed: ${unused}`);
    assert.ok(!result.removed.includes(used) && !result.removed.includes(current));
    assert.match(result.kept.find((k) => k.tag === used)?.why ?? '', /used by 1 sandbox container/);
    assert.deepEqual(result.removedArchives, [oldArchive]);
    assert.ok(existsSync(currentArchive) && !existsSync(oldArchive));
    const after = (await list()).map((b) => b.tag).sort();
    assert.deepEqual(after, [current, used].sort());
    assert.equal((await container.inspect()).State.Running, true);
  });
});

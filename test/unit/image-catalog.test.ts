import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';

function imagesDir() {
  const root = mkdtempSync(join(tmpdir(), 'drydock-images-'));
  const dir = join(root, 'images');
  mkdirSync(join(dir, 'sandbox'), { recursive: true });
  mkdirSync(join(dir, 'lab-base'), { recursive: true });
  writeFileSync(join(dir, 'sandbox', 'image.json'), '{"name":"drydock/sandbox","suite":"trixie"}');
  writeFileSync(join(dir, 'sandbox', 'packages.txt'), 'bash\n');
  writeFileSync(
    join(dir, 'lab-base', 'image.json'),
    '{"name":"drydock/lab-base","buildArgs":{"BASE":"@sandbox"}}',
  );
  writeFileSync(join(dir, 'lab-base', 'Dockerfile'), 'ARG BASE\nFROM $BASE\n');
  return { root, dir, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

describe('image recipes', () => {
  it('orders recipes so that an image is built after the images it builds on', () => {
    using images = imagesDir();
    const recipes = loadImageCatalog(images.dir);
    assert.deepEqual(
      recipes.map((r) => r.slug),
      ['sandbox', 'lab-base'],
    );
    assert.equal(recipes[0]!.kind, 'debian');
    assert.equal(recipes[1]!.kind, 'dockerfile');
    assert.match(recipes[0]!.tag, /^drydock\/sandbox:[0-9a-f]{12}$/);
  });

  it('gives a new tag when an input changes, to the image and to the images built on it', () => {
    using images = imagesDir();
    const before = loadImageCatalog(images.dir);
    writeFileSync(join(images.dir, 'sandbox', 'packages.txt'), 'bash\ncurl\n');
    const after = loadImageCatalog(images.dir);
    assert.notEqual(after[0]!.tag, before[0]!.tag);
    assert.notEqual(after[1]!.tag, before[1]!.tag, 'lab-base is rebuilt when the sandbox changes');
  });

  it('gives the same tags to recipes linked in from another folder', () => {
    using images = imagesDir();
    const linked = join(images.root, 'linked');
    mkdirSync(linked);
    symlinkSync(join(images.dir, 'sandbox'), join(linked, 'sandbox'));
    cpSync(join(images.dir, 'lab-base'), join(linked, 'lab-base'), { recursive: true });
    assert.deepEqual(
      loadImageCatalog(linked).map((r) => r.tag),
      loadImageCatalog(images.dir).map((r) => r.tag),
    );
  });

  it('names the recipe that depends on an image that does not exist', () => {
    using images = imagesDir();
    writeFileSync(
      join(images.dir, 'lab-base', 'image.json'),
      '{"name":"drydock/lab-base","buildArgs":{"BASE":"@nope"}}',
    );
    assert.throws(
      () => loadImageCatalog(images.dir),
      /images\/lab-base\/image\.json: depends on unknown image "nope"/,
    );
  });
});

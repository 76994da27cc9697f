import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';

const CATALOG = new URL('../../lab-server/images/catalog.ts', import.meta.url).href;

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

  it('gives the same tags whatever the locale the server runs in', async () => {
    // In Swedish, ä sorts after z; in English, beside a. The files are hashed in
    // an order that depends on neither.
    using images = imagesDir();
    for (const name of ['ä.txt', 'b.txt', 'B.txt', 'z.txt'])
      writeFileSync(join(images.dir, 'lab-base', name), name);
    const tagsIn = async (locale: string) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { loadImageCatalog } from ${JSON.stringify(CATALOG)};
           console.log(JSON.stringify(loadImageCatalog(${JSON.stringify(images.dir)}).map((r) => r.tag)));`,
        ],
        { env: { ...process.env, LC_ALL: locale, LANG: locale } },
      );
      return JSON.parse(stdout) as string[];
    };
    assert.deepEqual(await tagsIn('sv_SE.UTF-8'), await tagsIn('en_US.UTF-8'));
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

/**
 * Content packs resolved as the site build, the lab server and the CLI see them
 * (lab-format/content-packs.ts): real folders on disk, Drydock's own content as
 * the built-in source, the fixture pack and broken copies of it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ContentPackError,
  contentSources,
  imageDirs,
  loadContentLabs,
  shownLessons,
} from '../../lab-format/content-packs.ts';
import { LabFormatError } from '../../lab-format/load.ts';
import { validateLabs } from '../../lab-server/labs/validate.ts';
import { loadImageCatalog } from '../../lab-server/images/catalog.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const PACK = join(ROOT, 'test/fixtures/content-pack');
const scratch = mkdtempSync(join(tmpdir(), 'drydock-packs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the fixture pack to break. */
function packCopy(name: string): string {
  const dir = join(scratch, name);
  cpSync(PACK, dir, { recursive: true });
  return dir;
}

describe('content packs', () => {
  it('without DRYDOCK_CONTENT, offers exactly the built-in labs and lessons', () => {
    const sources = contentSources(ROOT, '');
    assert.equal(sources.length, 1);
    const labs = loadContentLabs(sources);
    assert.equal(labs.length, 14);
    assert.ok(labs.every((lab) => lab.source === 'built-in'));
  });

  it("adds a pack's labs and lessons, and its hide: removes the built-in pages it names", () => {
    const sources = contentSources(ROOT, PACK);
    assert.deepEqual(
      sources.map((s) => [s.name, s.title]),
      [
        ['built-in', 'Lessons'],
        ['acme-platform', 'Acme platform team'],
      ],
    );
    const labs = loadContentLabs(sources, { lessons: true });
    const slugs = labs.map((lab) => lab.slug);
    assert.ok(slugs.includes('payments-worker-stopped'));
    assert.ok(!slugs.includes('compose-v1-containerconfig'), 'hidden by the pack');
    assert.equal(labs.length, 14);
    const worker = labs.find((lab) => lab.slug === 'payments-worker-stopped')!;
    assert.equal(worker.source, 'acme-platform');
    assert.deepEqual(worker.manifest.groups, ['platform-team']);
    // Its image is the pack's own, built on Drydock's lab-base, after it.
    assert.deepEqual(worker.manifest.images, ['acme-worker']);
    const recipes = loadImageCatalog(imageDirs(sources));
    const image = recipes.find((r) => r.slug === 'acme-worker')!;
    assert.equal(image.name, 'acme/payments-worker');
    assert.deepEqual(image.dependsOn, ['lab-base']);
    assert.ok(
      recipes.findIndex((r) => r.slug === 'lab-base') < recipes.indexOf(image),
      'built after the image it builds on',
    );
    // The pack has no labs/_lib: its scripts run with the built-in helpers.
    assert.equal(worker.libDir, join(ROOT, 'labs/_lib'));

    const lessons = shownLessons(sources);
    const ids = lessons.map((l) => l.id);
    assert.ok(ids.includes('lessons/payments-worker-runbook'));
    assert.ok(ids.includes('lessons/acme-image-conventions'));
    assert.ok(!ids.includes('lessons/compose-v1-containerconfig'));
    assert.ok(ids.includes('tutorial/networks'), 'the tutorial stays');
  });

  it("replaces a built-in lesson, lab and image with the pack's own of the same name", () => {
    const pack = packCopy('override');
    cpSync(
      join(ROOT, 'labs/named-volume-masks-image'),
      join(pack, 'labs/named-volume-masks-image'),
      {
        recursive: true,
      },
    );
    writeFileSync(
      join(pack, 'lessons/layer-cache-order.mdx'),
      '---\ntitle: Acme build caching\n---\n\n## Why\n\nOurs.\n',
    );
    cpSync(join(ROOT, 'images/lab-base'), join(pack, 'images/lab-base'), { recursive: true });
    writeFileSync(join(pack, 'images/lab-base/acme-ca.crt'), 'not a real certificate\n');
    const sources = contentSources(ROOT, pack);

    const lab = loadContentLabs(sources).find((l) => l.slug === 'named-volume-masks-image')!;
    assert.equal(lab.source, 'acme-platform');
    assert.equal(lab.dir, join(pack, 'labs/named-volume-masks-image'));
    const lesson = shownLessons(sources).filter((l) => l.id === 'lessons/layer-cache-order');
    assert.deepEqual(
      lesson.map((l) => l.source.name),
      ['acme-platform'],
      'one page per id: the pack wins',
    );
    const builtIn = loadImageCatalog(join(ROOT, 'images')).find((r) => r.slug === 'lab-base')!;
    const packs = loadImageCatalog(imageDirs(sources)).find((r) => r.slug === 'lab-base')!;
    assert.equal(packs.dir, join(pack, 'images/lab-base'));
    assert.notEqual(packs.tag, builtIn.tag, "the pack's recipe is built under a tag of its own");
  });

  it('hides every built-in page with hide: ["*"] (a pack used instead of the built-in content)', () => {
    const pack = packCopy('instead');
    writeFileSync(join(pack, 'drydock-pack.yaml'), 'name: acme\nhide: ["*"]\n');
    const sources = contentSources(ROOT, pack);
    assert.deepEqual(
      loadContentLabs(sources).map((l) => l.slug),
      ['payments-worker-stopped'],
    );
    assert.deepEqual(
      shownLessons(sources)
        .map((l) => l.id)
        .sort(),
      ['lessons/acme-image-conventions', 'lessons/payments-worker-runbook'],
    );
  });

  it('refuses a malformed pack file, naming the pack, the file and the field', () => {
    const pack = packCopy('bad-hide');
    writeFileSync(join(pack, 'drydock-pack.yaml'), 'name: acme\nhide:\n  - lesons/typo\n');
    assert.throws(
      () => contentSources(ROOT, pack),
      (error: unknown) =>
        error instanceof ContentPackError &&
        error.pack === 'acme' &&
        error.file.endsWith('bad-hide/drydock-pack.yaml') &&
        error.field === 'hide[0]' &&
        /lessons\/<slug>/.test(error.message),
    );
    writeFileSync(join(pack, 'drydock-pack.yaml'), 'name: Acme Platform\n');
    assert.throws(() => contentSources(ROOT, pack), /content pack "bad-hide": .*: name: /);
    writeFileSync(join(pack, 'drydock-pack.yaml'), 'colour: blue\n');
    assert.throws(
      () => contentSources(ROOT, pack),
      /content pack "bad-hide": .*drydock-pack\.yaml: .*colour/,
    );
    writeFileSync(join(pack, 'drydock-pack.yaml'), 'hide: [\n');
    assert.throws(() => contentSources(ROOT, pack), /drydock-pack\.yaml: not valid YAML/);
  });

  it('refuses a folder that is not a pack, and two packs of one name', () => {
    assert.throws(
      () => contentSources(ROOT, join(scratch, 'nowhere')),
      /nowhere: DRYDOCK_CONTENT names a folder that does not exist/,
    );
    assert.throws(() => contentSources(ROOT, scratch), /has none of lessons\/, labs\/ or images\//);
    const twin = packCopy('twin');
    assert.throws(
      () => contentSources(ROOT, `${PACK}:${twin}`),
      /two packs are called "acme-platform"/,
    );
  });

  it("refuses a pack's malformed lab, naming the pack, the file and the field", () => {
    const pack = packCopy('bad-lab');
    const manifest = join(pack, 'labs/payments-worker-stopped/lab.yaml');
    writeFileSync(manifest, 'title: x\n');
    assert.throws(
      () => loadContentLabs(contentSources(ROOT, pack)),
      (error: unknown) =>
        error instanceof LabFormatError &&
        error.file ===
          'content pack "acme-platform": bad-lab/labs/payments-worker-stopped/lab.yaml' &&
        error.field === 'title',
    );
  });

  it('validates only the pack’s labs with --pack’s selection, against the built-in lessons and images too', () => {
    const pack = packCopy('validate');
    const sources = contentSources(ROOT, pack);
    assert.deepEqual(validateLabs(sources, [pack]), [
      { slug: 'payments-worker-stopped', ok: true },
    ]);
    writeFileSync(
      join(pack, 'labs/payments-worker-stopped/lab.yaml'),
      readFileSync(join(PACK, 'labs/payments-worker-stopped/lab.yaml'), 'utf8').replace(
        '#cause',
        '#no-such-section',
      ),
    );
    const [result] = validateLabs(contentSources(ROOT, pack), [pack]);
    assert.equal(result!.ok, false);
    assert.equal(result!.field, 'tasks[0].explainedIn');
    assert.match(result!.problem!, /validate\/labs\/payments-worker-stopped\/lab\.yaml/);
  });

  it('refuses a shown lab that names a lesson the pack hides, in the build and in labs validate', () => {
    const pack = packCopy('hides-a-lesson');
    writeFileSync(
      join(pack, 'drydock-pack.yaml'),
      'name: acme\nhide: [lessons/named-volume-masks-image]\n',
    );
    const sources = contentSources(ROOT, pack);
    // Without the lesson checks (the lab server), the lab still loads.
    assert.ok(loadContentLabs(sources).some((lab) => lab.slug === 'named-volume-masks-image'));
    assert.throws(
      () => loadContentLabs(sources, { lessons: true }),
      (error: unknown) =>
        error instanceof LabFormatError &&
        error.file === 'labs/named-volume-masks-image/lab.yaml' &&
        error.field === 'lessons[0]' &&
        /lesson "lessons\/named-volume-masks-image" is hidden by content pack "acme"/.test(
          error.problem,
        ) &&
        /labs\/named-volume-masks-image in hide:/.test(error.hint ?? ''),
    );
    const result = validateLabs(sources).find((r) => r.slug === 'named-volume-masks-image')!;
    assert.equal(result.ok, false);
    assert.equal(result.field, 'lessons[0]');

    // Hiding the lab as well is the way out.
    writeFileSync(
      join(pack, 'drydock-pack.yaml'),
      'name: acme\nhide: [lessons/named-volume-masks-image, labs/named-volume-masks-image]\n',
    );
    const slugs = loadContentLabs(contentSources(ROOT, pack), { lessons: true }).map((l) => l.slug);
    assert.ok(!slugs.includes('named-volume-masks-image'));
  });
});

/**
 * The JSON Schema editors validate lab.yaml with (lab-format/lab.schema.json) is
 * what `npm run schema:lab` makes of lab-format/schema.ts today, accepts every lab
 * in labs/, refuses what the loader refuses, and has help for every field.
 *
 * Validated with Ajv, the JSON Schema validator Fastify already brings (and the one
 * VS Code's YAML extension runs): the file is tested the way an editor reads it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { labManifestSchema } from '../../lab-format/schema.ts';
import { LAB_SCHEMA_FILE, labJsonSchema, labJsonSchemaText } from '../../scripts/lab-schema.ts';
import { ROOT } from '../support/platform.ts';
import { GOOD_MANIFEST } from '../support/temp-lab.ts';

function validator() {
  // Ajv's strict mode refuses keywords it does not know; these are the editors' own.
  const ajv = new Ajv({ allErrors: true });
  ajv.addKeyword('markdownDescription');
  ajv.addKeyword('markdownEnumDescriptions');
  return ajv.compile(JSON.parse(readFileSync(LAB_SCHEMA_FILE, 'utf8')) as object);
}

describe('the JSON Schema of lab.yaml', () => {
  it('is what `npm run schema:lab` writes from the manifest schema today', async () => {
    assert.equal(
      readFileSync(LAB_SCHEMA_FILE, 'utf8'),
      await labJsonSchemaText(),
      'lab-format/lab.schema.json is stale: run `npm run schema:lab` and commit the file',
    );
  });

  it('accepts every lab in labs/', () => {
    const validate = validator();
    const labsDir = join(ROOT, 'labs');
    const slugs = readdirSync(labsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !e.name.startsWith('.'))
      .map((e) => e.name);
    assert.ok(slugs.length > 0);
    for (const slug of slugs) {
      const manifest: unknown = parse(readFileSync(join(labsDir, slug, 'lab.yaml'), 'utf8'));
      assert.ok(
        validate(manifest),
        `labs/${slug}/lab.yaml: ${JSON.stringify(validate.errors, null, 2)}`,
      );
    }
  });

  it('refuses what the loader refuses, and accepts what it accepts', () => {
    const validate = validator();
    const task = GOOD_MANIFEST.tasks[0]!;
    const cases: [string, unknown, boolean][] = [
      ['a good manifest', GOOD_MANIFEST, true],
      ['an unknown field', { ...GOOD_MANIFEST, titel: 'typo' }, false],
      ['an unknown task field', { ...GOOD_MANIFEST, tasks: [{ ...task, chek: 'x' }] }, false],
      ['no tasks', { ...GOOD_MANIFEST, tasks: [] }, false],
      [
        'a check outside the folder',
        { ...GOOD_MANIFEST, tasks: [{ ...task, check: '../x.sh' }] },
        false,
      ],
      [
        'a check in a folder called ..',
        { ...GOOD_MANIFEST, tasks: [{ ...task, check: 'a/../../x.sh' }] },
        false,
      ],
      ['an absolute setup path', { ...GOOD_MANIFEST, setup: '/etc/setup.sh' }, false],
      ['a file name with dots', { ...GOOD_MANIFEST, setup: 'scripts/..setup.sh' }, true],
      ['a task id in capitals', { ...GOOD_MANIFEST, tasks: [{ ...task, id: 'Web' }] }, false],
      ['a workdir outside /root', { ...GOOD_MANIFEST, workdir: '/srv/lab' }, false],
      [
        'an unknown kind of wrong fix',
        { ...GOOD_MANIFEST, wrongFixes: [{ ...GOOD_MANIFEST.wrongFixes[0], kind: 'lazy' }] },
        false,
      ],
      ['minutes as text', { ...GOOD_MANIFEST, minutes: '5' }, false],
      ['an unknown requirement', { ...GOOD_MANIFEST, requires: ['gpu'] }, false],
    ];
    for (const [what, manifest, valid] of cases) {
      assert.equal(validate(manifest), valid, `JSON Schema on ${what}`);
      assert.equal(labManifestSchema.safeParse(manifest).success, valid, `Zod on ${what}`);
    }
  });

  it('gives every field help for the editor to show on hover', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, property] of Object.entries(properties)) {
        if (typeof property.markdownDescription !== 'string' || !property.description)
          missing.push(`${path}${name}`);
        const items = property.items as Record<string, unknown> | undefined;
        if (items?.properties) walk(items, `${path}${name}[].`);
      }
    };
    walk(labJsonSchema(), '');
    assert.deepEqual(missing, [], 'give these fields a doc comment in lab-format/schema.ts');
  });
});

/**
 * The images the platform builds itself, one folder each in `images/`. An image's
 * tag is derived from a hash of every file in its folder (and of the images it
 * builds on), so a second start finds it and rebuilds nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod';
import { compareCodeUnits } from '../../lab-format/code-unit-order.ts';

const imageFileSchema = z.strictObject({
  /** Repository name of the built image. @example "drydock/sandbox" */
  name: z.string().regex(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/),
  /** Debian suite for images built from packages.txt with mmdebstrap. */
  suite: z.string().optional(),
  variant: z.enum(['minbase', 'essential', 'apt']).optional(),
  entrypoint: z.array(z.string()).optional(),
  /** Dockerfile images: build args whose value "@folder" becomes that image's tag. */
  buildArgs: z.record(z.string(), z.string()).default({}),
});

export interface ImageRecipe {
  /** Folder name in images/, used by lab manifests. */
  slug: string;
  dir: string;
  kind: 'debian' | 'dockerfile';
  name: string;
  spec: z.infer<typeof imageFileSchema>;
  /** Other recipes this one is built from. */
  dependsOn: string[];
  inputHash: string;
  tag: string;
}

function hashTree(dir: string, hash = createHash('sha256'), root = dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    compareCodeUnits(a.name, b.name),
  )) {
    const full = join(dir, entry.name);
    const stat = statSync(full);
    hash.update(`${relative(root, full)}\0${stat.mode & 0o777}\0`);
    if (stat.isDirectory()) hashTree(full, hash, root);
    else hash.update(readFileSync(full));
  }
  return hash;
}

/**
 * Reads images/ (or several such folders, lowest first: the built-in one, then
 * content packs', whose recipe of a built-in name replaces it) and returns the
 * recipes in build order (dependencies first).
 */
export function loadImageCatalog(imagesDirs: string | readonly string[]): ImageRecipe[] {
  const folders = new Map<string, string>();
  for (const imagesDir of typeof imagesDirs === 'string' ? [imagesDirs] : imagesDirs) {
    if (!existsSync(imagesDir)) continue;
    for (const name of readdirSync(imagesDir))
      // statSync follows symlinks: a recipe may be linked in from elsewhere.
      if (statSync(join(imagesDir, name)).isDirectory()) folders.set(name, join(imagesDir, name));
  }
  const raw = [...folders].map(([name, dir]) => {
    const file = join(dir, 'image.json');
    const parsed = imageFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(
        `${relative(process.cwd(), file)}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
    }
    const kind = existsSync(join(dir, 'Dockerfile')) ? 'dockerfile' : 'debian';
    const dependsOn = Object.values(parsed.data.buildArgs)
      .filter((value) => value.startsWith('@'))
      .map((value) => value.slice(1));
    return { slug: name, dir, kind, spec: parsed.data, dependsOn } as const;
  });

  const bySlug = new Map(raw.map((r) => [r.slug, r]));
  const done = new Map<string, ImageRecipe>();
  const visit = (slug: string, trail: string[]): ImageRecipe => {
    const ready = done.get(slug);
    if (ready) return ready;
    const recipe = bySlug.get(slug);
    if (!recipe)
      throw new Error(`images/${trail.at(-1)}/image.json: depends on unknown image "${slug}"`);
    if (trail.includes(slug))
      throw new Error(`images/: dependency cycle ${[...trail, slug].join(' -> ')}`);
    const hash = hashTree(recipe.dir);
    for (const dep of recipe.dependsOn) hash.update(visit(dep, [...trail, slug]).inputHash);
    const inputHash = hash.digest('hex');
    const result: ImageRecipe = {
      ...recipe,
      name: recipe.spec.name,
      inputHash,
      tag: `${recipe.spec.name}:${inputHash.slice(0, 12)}`,
    };
    done.set(slug, result);
    return result;
  };
  for (const slug of bySlug.keys()) visit(slug, []);
  return [...done.values()];
}

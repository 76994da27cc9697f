/**
 * The labs and image recipes this server offers, loaded once at boot. A
 * malformed lab or recipe stops the server here, naming the file and field.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type Lab, loadLabs } from '../../lab-format/load.ts';
import { type ImageRecipe, loadImageCatalog } from '../images/catalog.ts';

export class LabCatalog {
  readonly labs: Lab[];
  readonly recipes: ImageRecipe[];

  constructor(root: string) {
    this.recipes = loadImageCatalog(join(root, 'images'));
    this.labs = loadLabs(join(root, 'labs'), {
      imagesDir: join(root, 'images'),
      displayRoot: root,
    });
  }

  private readonly versions = new Map<string, string>();

  lab(slug: string): Lab | undefined {
    return this.labs.find((lab) => lab.slug === slug);
  }

  /**
   * What a set-up sandbox of this lab was made from: its files, the shared script
   * helpers its scripts run with (labs/_lib) and the builds of its images. A warm
   * sandbox or a prepared engine state of another version is replaced, never used.
   */
  version(lab: Lab): string {
    let version = this.versions.get(lab.slug);
    if (!version) {
      const hash = createHash('sha256');
      const labs = dirname(lab.dir);
      const shared = join(labs, '_lib');
      for (const file of [
        ...filesUnder(lab.dir),
        ...(existsSync(shared) ? filesUnder(shared) : []),
      ]) {
        hash.update(`${relative(labs, file)}\0`);
        hash.update(readFileSync(file));
        hash.update('\0');
      }
      for (const slug of lab.manifest.images)
        hash.update(`image ${this.recipes.find((r) => r.slug === slug)?.tag ?? slug}\0`);
      version = hash.digest('hex').slice(0, 16);
      this.versions.set(lab.slug, version);
    }
    return version;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

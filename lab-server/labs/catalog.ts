/**
 * The labs and image recipes this server offers, from the built-in content and
 * the content packs (lab-format/content-packs.ts), loaded at boot. A malformed
 * lab or recipe stops the server here, naming the pack, the file and the field.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ContentSource, imageDirs, loadContentLabs } from '../../lab-format/content-packs.ts';
import type { Lab } from '../../lab-format/load.ts';
import { type ImageRecipe, loadImageCatalog } from '../images/catalog.ts';

export class LabCatalog {
  readonly sources: readonly ContentSource[];
  labs: Lab[] = [];
  recipes: ImageRecipe[] = [];

  constructor(sources: readonly ContentSource[]) {
    this.sources = sources;
    this.reload();
  }

  /** Reads the labs and recipes again (the dev loop, after an author's edit); throws as at boot. */
  reload(): void {
    const recipes = loadImageCatalog(imageDirs(this.sources));
    const labs = loadContentLabs(this.sources);
    this.recipes = recipes;
    this.labs = labs;
    this.versions.clear();
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
      const shared = lab.libDir;
      for (const file of [
        ...filesUnder(lab.dir),
        ...(existsSync(shared) ? filesUnder(shared) : []),
      ]) {
        hash.update(
          `${file.startsWith(shared) ? relative(dirname(shared), file) : relative(labs, file)}\0`,
        );
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

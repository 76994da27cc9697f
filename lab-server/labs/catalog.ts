/**
 * The labs and image recipes this server offers, loaded once at boot. A
 * malformed lab or recipe stops the server here, naming the file and field.
 */
import { join } from 'node:path';
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

  lab(slug: string): Lab | undefined {
    return this.labs.find((lab) => lab.slug === slug);
  }
}

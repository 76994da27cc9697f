/**
 * Every lab manifest checked without an engine: the same loader the site build
 * and the server use (lab-format/load.ts), run on each folder separately so one
 * broken lab does not hide the next, with the lessons (and lesson sections) each
 * lab links to.
 */
import { type ContentSource, loadShownLab, shownLabs } from '../../lab-format/content-packs.ts';
import { LabFormatError } from '../../lab-format/load.ts';

export interface LabValidation {
  slug: string;
  ok: boolean;
  /** `file: field: message` with a hint, as LabFormatError words it. */
  problem?: string;
  file?: string;
  field?: string;
}

/**
 * The shown labs of `sources` (all of them, or those of the sources named in
 * `only`: `--pack`), sorted by slug; a pack's lab may name the built-in lessons and images.
 */
export function validateLabs(
  sources: readonly ContentSource[],
  only?: readonly string[],
): LabValidation[] {
  return shownLabs(sources, only).map((shown) => {
    try {
      // With the lessons: the lessons it names exist, and so do the sections tasks link to.
      loadShownLab(sources, shown, { lessons: true });
      return { slug: shown.slug, ok: true };
    } catch (error) {
      if (!(error instanceof LabFormatError)) throw error;
      return {
        slug: shown.slug,
        ok: false,
        problem: error.message,
        file: error.file,
        ...(error.field ? { field: error.field } : {}),
      };
    }
  });
}

/**
 * "Will it fit?" on the class page: the create form's note, asked again as the
 * instructor picks labs, a size and a window, and each card's line for a class
 * not over yet. The server says it in a sentence (protocol/classes.ts,
 * ClassCapacity); the page adds a mark that reads without colour, and the fix.
 */
import type { ClassCapacity } from '../../protocol/classes.ts';
import { checkCapacity } from './class-api.ts';

/** Fills `target` with whether the class fits, and what to change when it does not. */
export function showCapacity(target: HTMLElement, capacity: ClassCapacity): void {
  target.dataset.fits = String(capacity.fits);
  const summary = document.createElement('span');
  summary.textContent = capacity.summary;
  target.replaceChildren(summary);
  if (capacity.fix) {
    const fix = document.createElement('span');
    fix.className = 'capacity-fix';
    fix.textContent = `To make it fit: ${capacity.fix}.`;
    target.append(' ', fix);
  }
}

export interface PlannedClass {
  labs: string[];
  size: number;
  opensAt?: string;
  closesAt?: string;
}

/** Waits this long after the last change: typing "30" asks once, not for 3 and 30. */
const SETTLE_MS = 250;

/**
 * Keeps `note` saying whether the class the form describes fits: call the
 * returned function after every change. `read` gives the class, or undefined
 * while the form cannot say yet (no lab ticked, no size), which empties the note.
 */
export function watchCapacity(note: HTMLElement, read: () => PlannedClass | undefined): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const planned = read();
      const ask = ++asked;
      if (!planned) {
        delete note.dataset.fits;
        note.replaceChildren();
        return;
      }
      checkCapacity(planned).then(
        (capacity) => {
          if (ask === asked) showCapacity(note, capacity);
        },
        (failure: Error) => {
          if (ask !== asked) return;
          delete note.dataset.fits;
          note.textContent = `Whether it fits cannot be said now: ${failure.message}`;
        },
      );
    }, SETTLE_MS);
  };
}

/**
 * The learner's progress in this browser's localStorage (the format and its
 * rules: protocol/learner-progress.ts). Read back through the schema: a record
 * this site cannot read (a newer site's, or edited by hand) is set aside under
 * another key rather than overwritten, so nothing is lost; the page then starts
 * from an empty record. Without storage (some private windows) nothing is kept.
 */
import {
  emptyProgress,
  mergeProgress,
  ProgressSchema,
  recordCheck,
  type Progress,
} from '../../protocol/learner-progress.ts';
import { parseText } from '../../protocol/parse.ts';
import { LEARNER_KEY } from './learner-id.ts';

export const PROGRESS_KEY = 'drydock.progress';
/** Fired on `window` after this page saved the record; other tabs get the `storage` event. */
export const PROGRESS_SAVED = 'drydock:progress';
const SET_ASIDE_KEY = 'drydock.progress.unreadable';

export function loadProgress(): Progress {
  let text: string | null;
  try {
    text = localStorage.getItem(PROGRESS_KEY);
  } catch {
    return emptyProgress();
  }
  if (text === null) return emptyProgress();
  const parsed = parseText(ProgressSchema, text);
  if (parsed.ok) return parsed.value;
  console.warn(
    `[drydock] the progress kept in this browser is unreadable (${parsed.why}); set aside`,
  );
  try {
    localStorage.setItem(SET_ASIDE_KEY, text);
    localStorage.removeItem(PROGRESS_KEY);
  } catch {
    // Nothing more to do: the next save would fail as well.
  }
  return emptyProgress();
}

/** False when the browser keeps nothing (storage disabled or full). */
export function saveProgress(progress: Progress): boolean {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
    window.dispatchEvent(new Event(PROGRESS_SAVED));
    return true;
  } catch {
    return false;
  }
}

/** A Check's verdicts on the lab page, remembered. */
export function rememberCheck(
  lab: string,
  results: readonly { task: string; passed: boolean; shown?: boolean | undefined }[],
  taskIds: readonly string[],
): void {
  saveProgress(recordCheck(loadProgress(), lab, results, taskIds, new Date()));
}

/** An imported record, added to this browser's (never replacing it). */
export function importProgress(theirs: Progress): boolean {
  return saveProgress(mergeProgress(loadProgress(), theirs));
}

/**
 * The labs of the learner's current classes (open or not yet open), where the
 * class's record wins. Asked only when there is progress to show, and only of
 * a browser that has a learner identity (it has used the lab server): anyone
 * else is in no class. A server that cannot be asked (a static copy of the
 * site, offline) means no class is known: local progress shows as it is.
 */
export async function currentClassLabs(): Promise<Set<string>> {
  try {
    if (!localStorage.getItem(LEARNER_KEY)) return new Set();
  } catch {
    return new Set();
  }
  try {
    const { myMemberships } = await import('./class-api.ts');
    const memberships = await myMemberships();
    return new Set(
      memberships
        .filter((m) => m.class.state === 'open' || m.class.state === 'upcoming')
        .flatMap((m) => m.class.labs.map((lab) => lab.slug)),
    );
  } catch {
    return new Set();
  }
}

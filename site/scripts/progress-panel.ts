/**
 * The "Your progress" panel on /labs/: Export saves this browser's record as a
 * JSON file; Import reads one, refuses anything that is not a readable
 * Drydock progress file with a sentence saying why (and changes nothing), and
 * otherwise adds it to what this browser has (protocol/learner-progress.ts);
 * the badges repaint themselves on the save.
 */
import {
  PROGRESS_FILE_MAX_BYTES,
  progressFile,
  readProgressFile,
} from '../../protocol/learner-progress.ts';
import { importProgress, loadProgress } from './progress-store.ts';

const panel = document.querySelector<HTMLElement>('[data-progress-panel]');
if (panel) {
  const message = panel.querySelector<HTMLElement>('[data-progress-message]')!;
  const input = panel.querySelector<HTMLInputElement>('[data-progress-import]')!;
  const say = (text: string, kind: 'ok' | 'error') => {
    message.textContent = text;
    message.dataset.kind = kind;
  };

  panel.querySelector('[data-progress-export]')!.addEventListener('click', () => {
    const now = new Date();
    const file = progressFile(loadProgress(), now);
    const labs = Object.keys(file.labs).length;
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }),
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = `drydock-progress-${now.toISOString().slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(
      labs === 0
        ? 'Saved a file, but nothing is remembered yet: it records no lab.'
        : `Saved your progress in ${labs} lab${labs === 1 ? '' : 's'} to ${link.download}.`,
      'ok',
    );
  });

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > PROGRESS_FILE_MAX_BYTES) {
      // Not read at all: a film chosen by mistake would otherwise sit in memory.
      input.value = '';
      say('Nothing was imported: the file is far too big to be a Drydock progress file.', 'error');
      return;
    }
    void file.text().then(
      (text) => {
        input.value = ''; // the same file may be chosen again
        const read = readProgressFile(text);
        if (!read.ok) {
          say(`Nothing was imported: ${read.why}`, 'error');
          return;
        }
        if (!importProgress(read.value)) {
          say('Nothing was imported: this browser does not let the site keep anything.', 'error');
          return;
        }
        const labs = Object.keys(read.value.labs).length;
        say(`Imported your progress in ${labs} lab${labs === 1 ? '' : 's'}.`, 'ok');
      },
      () => say('Nothing was imported: the file could not be read.', 'error'),
    );
  });
}

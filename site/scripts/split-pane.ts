/**
 * The draggable divider between the instructions and the terminal (wide screens
 * only). Sets `--lab-split` (the instructions' share of the width, in %) on the
 * layout; works with a pointer and with the arrow keys, and is remembered.
 */

const STORAGE_KEY = 'drydock:lab-split';
const MIN = 25;
const MAX = 70;
const STEP = 2;

export function initSplitPane(layout: HTMLElement, divider: HTMLElement): void {
  const clamp = (value: number) => Math.min(MAX, Math.max(MIN, value));

  const apply = (percent: number, remember = true) => {
    const value = clamp(Math.round(percent * 10) / 10);
    layout.style.setProperty('--lab-split', `${value}%`);
    divider.setAttribute('aria-valuenow', String(Math.round(value)));
    if (remember) {
      try {
        localStorage.setItem(STORAGE_KEY, String(value));
      } catch {
        // Storage may be disabled; the split just is not remembered.
      }
    }
  };

  let initial = Number.NaN;
  try {
    initial = Number(localStorage.getItem(STORAGE_KEY));
  } catch {
    // ignore
  }
  apply(
    Number.isFinite(initial) && initial > 0
      ? initial
      : Number(divider.getAttribute('aria-valuenow')),
    false,
  );

  const percentAt = (clientX: number) => {
    const box = layout.getBoundingClientRect();
    const fromStart = document.dir === 'rtl' ? box.right - clientX : clientX - box.left;
    return (fromStart / box.width) * 100;
  };

  divider.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    divider.setPointerCapture(event.pointerId);
    layout.dataset.resizing = '';
    const move = (e: PointerEvent) => apply(percentAt(e.clientX));
    const up = () => {
      divider.removeEventListener('pointermove', move);
      divider.removeEventListener('pointerup', up);
      divider.removeEventListener('pointercancel', up);
      delete layout.dataset.resizing;
    };
    divider.addEventListener('pointermove', move);
    divider.addEventListener('pointerup', up);
    divider.addEventListener('pointercancel', up);
  });

  divider.addEventListener('keydown', (event) => {
    const now = Number(divider.getAttribute('aria-valuenow'));
    const keys: Record<string, number> = {
      ArrowLeft: now - STEP,
      ArrowRight: now + STEP,
      Home: MIN,
      End: MAX,
    };
    if (!(event.key in keys)) return;
    event.preventDefault();
    apply(keys[event.key]!);
  });
}

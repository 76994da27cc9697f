/**
 * The row of extra keys a phone's keyboard lacks (Esc, Tab, Ctrl, arrows, and
 * | ~ - that hide on a second layer), shown below the terminal on a coarse
 * pointer or a narrow page (TerminalPanel.astro's CSS decides), kept above the
 * on-screen keyboard while it is open. Ctrl is sticky: it applies to the next
 * key, from the row or the phone's keyboard (Ctrl, then c: ETX, 0x03, which
 * interrupts), then lets go; a second tap lets go without a key.
 *
 * The buttons never take the focus from the terminal, so the phone's keyboard
 * stays open while they are tapped.
 */
import type { LabTerminal } from './lab-terminal.ts';

const ARROWS: Record<string, string> = {
  ArrowUp: 'A',
  ArrowDown: 'B',
  ArrowRight: 'C',
  ArrowLeft: 'D',
};

/** Ctrl held with `text`'s first character, as a terminal sends it (Ctrl+C is 0x03, Ctrl+[ is ESC). */
export function withCtrl(text: string): string {
  const [first = '', ...rest] = text;
  const code = first.toUpperCase().charCodeAt(0);
  let control: string;
  if (code >= 0x40 && code <= 0x5f)
    control = String.fromCharCode(code & 0x1f); // @ A–Z [ \ ] ^ _
  else if (first === ' ') control = '\x00';
  else if (first === '-' || first === '/') control = '\x1f';
  else if (first === '~') control = '\x1e';
  else if (first === '?') control = '\x7f';
  else control = first;
  return control + rest.join('');
}

/** The bytes one key of the row sends. */
export function keyBytes(
  key: string,
  { ctrl = false, applicationCursor = false }: { ctrl?: boolean; applicationCursor?: boolean } = {},
): string {
  const arrow = ARROWS[key];
  if (arrow) {
    // xterm's own encoding: modifiers as CSI 1;5, else SS3 in application cursor mode.
    if (ctrl) return `\x1b[1;5${arrow}`;
    return applicationCursor ? `\x1bO${arrow}` : `\x1b[${arrow}`;
  }
  if (key === 'Escape') return '\x1b';
  if (key === 'Tab') return '\t';
  return ctrl ? withCtrl(key) : key;
}

export class ExtraKeys {
  readonly #bar: HTMLElement;
  readonly #ctrl: HTMLButtonElement;
  #terminal: LabTerminal | undefined;

  constructor(bar: HTMLElement) {
    this.#bar = bar;
    this.#ctrl = bar.querySelector<HTMLButtonElement>('[data-key="Control"]')!;
    // Keep the focus (and the phone's keyboard) on the terminal.
    bar.addEventListener('pointerdown', (event) => {
      if ((event.target as Element).closest('button')) event.preventDefault();
    });
    bar.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-key]');
      if (button) this.#press(button.dataset.key!);
    });
    this.#followKeyboard();
  }

  attach(terminal: LabTerminal): void {
    this.#terminal = terminal;
  }

  #press(key: string): void {
    const terminal = this.#terminal;
    if (!terminal) return;
    if (key === 'Control') {
      this.#setCtrl(!this.#ctrlDown);
    } else {
      const ctrl = this.#ctrlDown;
      this.#setCtrl(false);
      terminal.type(keyBytes(key, { ctrl, applicationCursor: terminal.applicationCursorKeys }));
    }
    terminal.focus();
  }

  get #ctrlDown(): boolean {
    return this.#ctrl.getAttribute('aria-pressed') === 'true';
  }

  #setCtrl(down: boolean): void {
    this.#ctrl.setAttribute('aria-pressed', String(down));
    this.#terminal?.transformNextInput(
      down
        ? (data) => {
            this.#ctrl.setAttribute('aria-pressed', 'false');
            return withCtrl(data);
          }
        : undefined,
    );
  }

  /**
   * An on-screen keyboard shrinks the visual viewport, not the layout one: the
   * row's sticky bottom is raised by the keyboard's height so it sits on top of it.
   */
  #followKeyboard(): void {
    const viewport = window.visualViewport;
    if (!viewport) return;
    const place = () => {
      const covered = Math.max(0, window.innerHeight - viewport.height - viewport.offsetTop);
      this.#bar.style.setProperty('--keyboard-inset', `${Math.round(covered)}px`);
    };
    viewport.addEventListener('resize', place);
    viewport.addEventListener('scroll', place);
    place();
  }
}

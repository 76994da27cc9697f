/**
 * The learner's side of a take-over (docs/api.md, "Taking over a terminal"):
 * a watcher's request to type is asked here, never answered for the learner,
 * and while the watcher types the bar says so with a way to take control back.
 * Names are set as text: they are whatever a staff account says.
 */
import type { TakeoverMessage } from './session-connection.ts';

export interface TakeoverAnswers {
  answer(accept: boolean): void;
  stop(): void;
}

/** Why a take-over ended, for the learner; a request they answered needs no word. */
const ENDED: Partial<Record<NonNullable<TakeoverMessage['outcome']>, (by: string) => string>> = {
  unanswered: (by) => `${by}’s request to type lapsed.`,
  released: (by) => `${by} gave control back to you.`,
  left: (by) => `${by} stopped watching; your terminal is yours alone again.`,
};

const NOTE_MS = 8000;

export class TakeoverBar {
  readonly #bar: HTMLElement;
  readonly #text: HTMLElement;
  readonly #accept: HTMLButtonElement;
  readonly #decline: HTMLButtonElement;
  readonly #stop: HTMLButtonElement;
  readonly #watchedNote: HTMLElement;
  #answers: TakeoverAnswers | undefined;
  #noteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: ParentNode) {
    const find = <T extends HTMLElement>(selector: string): T => {
      const element = root.querySelector<T>(selector);
      if (!element) throw new Error(`lab page markup is missing ${selector}`);
      return element;
    };
    this.#bar = find('[data-testid="lab-takeover"]');
    this.#text = find('[data-takeover-text]');
    this.#accept = find('[data-takeover-accept]');
    this.#decline = find('[data-takeover-decline]');
    this.#stop = find('[data-takeover-stop]');
    this.#watchedNote = find('[data-watched-note]');
    this.#accept.addEventListener('click', () => this.#answers?.answer(true));
    this.#decline.addEventListener('click', () => this.#answers?.answer(false));
    this.#stop.addEventListener('click', () => this.#answers?.stop());
  }

  /** Where answers go: the connection of the session shown now (none: the bar hides). */
  connect(answers: TakeoverAnswers | undefined): void {
    this.#answers = answers;
    if (!answers) this.#show(undefined);
  }

  update(message: TakeoverMessage): void {
    const by = message.by ?? 'Someone';
    clearTimeout(this.#noteTimer);
    if (message.state === 'asked') {
      this.#show('asked', `${by} asks to type in your terminal.`);
      // The learner's keys stay in the terminal: the request waits for a click, not a key.
    } else if (message.state === 'granted') {
      this.#show('granted', `${by} is typing in your terminal. You see everything they do.`);
    } else {
      const note = message.outcome && ENDED[message.outcome]?.(by);
      this.#show(note ? 'note' : undefined, note);
      if (note) this.#noteTimer = setTimeout(() => this.#show(undefined), NOTE_MS);
    }
    this.#watchedNote.textContent =
      message.state === 'granted'
        ? '(you let them type; take control back at any time)'
        : '(read-only: they see your screen, they cannot type)';
  }

  #show(state: 'asked' | 'granted' | 'note' | undefined, text = ''): void {
    this.#bar.hidden = state === undefined;
    this.#bar.dataset.state = state ?? 'none';
    this.#text.textContent = text;
    this.#accept.hidden = this.#decline.hidden = state !== 'asked';
    this.#stop.hidden = state !== 'granted';
  }
}

/**
 * The lab page's side of "errors recognised in the terminal": reads the terminal's
 * output as it arrives (SessionConnection's onOutput), and when a line holds an
 * error message a lesson explains, lists that lesson's section under the terminal
 * (markup: site/components/lab/ErrorHints.astro). Quietly: focus stays where it is
 * and a polite live region says it once. Each page is offered once per session,
 * also across reloads (sessionStorage). The matching is site/lib/terminal-errors.ts;
 * its patterns come with the page, built from the lessons' `symptoms`.
 */
import { ErrorSpotter, type TerminalPattern } from '../lib/terminal-errors.ts';

interface Offer {
  href: string;
  title: string;
  /** The terminal line that held the message. */
  line: string;
  /** Closed by the learner: not shown again, nor offered again. */
  dismissed?: boolean;
}

function isOffer(value: unknown): value is Offer {
  const o = value as Partial<Record<keyof Offer, unknown>> | null;
  return typeof o?.href === 'string' && typeof o.title === 'string' && typeof o.line === 'string';
}

/** Longer terminal lines are cut to this many characters in the offer. */
const SHOWN_LINE = 120;

function cut(line: string): string {
  return line.length > SHOWN_LINE ? `${line.slice(0, SHOWN_LINE - 1)}…` : line;
}

export class ErrorHints {
  readonly #patterns: TerminalPattern[];
  readonly #panel: HTMLElement;
  readonly #list: HTMLElement;
  readonly #announce: HTMLElement;
  #sessionId: string | undefined;
  #offers: Offer[] = [];

  constructor(root: ParentNode) {
    const data = root.querySelector('script[data-terminal-errors]')?.textContent ?? '[]';
    this.#patterns = JSON.parse(data) as TerminalPattern[];
    this.#panel = root.querySelector<HTMLElement>('[data-error-hints]')!;
    this.#list = root.querySelector<HTMLElement>('[data-error-hints-list]')!;
    this.#announce = root.querySelector<HTMLElement>('[data-error-hints-announce]')!;
  }

  /**
   * Starts watching a session's output; returns what to call with each chunk of
   * output bytes. Offers already made in this session (before a reload) are shown
   * again, without being announced, and are not made twice.
   */
  watch(sessionId: string): (bytes: Uint8Array) => void {
    if (sessionId !== this.#sessionId) {
      this.#sessionId = sessionId;
      this.#offers = this.#stored();
      const shown = this.#offers.filter((offer) => !offer.dismissed);
      this.#list.replaceChildren(...shown.map((offer) => this.#item(offer)));
      this.#panel.hidden = shown.length === 0;
    }
    const decoder = new TextDecoder();
    const spotter = new ErrorSpotter(
      this.#patterns,
      (pattern, line) => this.#offer({ href: pattern.href, title: pattern.title, line: cut(line) }),
      this.#offers.map((offer) => offer.href.split('#')[0]!),
    );
    return (bytes) => spotter.push(decoder.decode(bytes, { stream: true }));
  }

  get #storageKey(): string {
    return `drydock:error-hints:${this.#sessionId}`;
  }

  #stored(): Offer[] {
    try {
      const value: unknown = JSON.parse(sessionStorage.getItem(this.#storageKey) ?? '[]');
      return Array.isArray(value) ? value.filter(isOffer) : [];
    } catch {
      return [];
    }
  }

  #save(): void {
    try {
      sessionStorage.setItem(this.#storageKey, JSON.stringify(this.#offers));
    } catch {
      // Storage disabled: after a reload the same error may be offered again; no harm.
    }
  }

  #offer(offer: Offer): void {
    this.#offers.push(offer);
    this.#save();
    this.#list.append(this.#item(offer));
    this.#panel.hidden = false;
    this.#announce.textContent = `Your terminal shows an error that “${offer.title}” explains. The link is under the terminal.`;
  }

  #item(offer: Offer): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'error-hint';
    item.dataset.testid = 'error-hint';
    const line = document.createElement('code');
    line.textContent = offer.line;
    const link = document.createElement('a');
    link.href = offer.href;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = offer.title;
    const newTab = document.createElement('span');
    newTab.className = 'sr-only';
    newTab.textContent = ' (opens in a new tab)';
    link.append(newTab);
    const text = document.createElement('p');
    text.append(line, ' is explained in ', link);
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'error-hint-dismiss';
    dismiss.setAttribute('aria-label', `Dismiss: ${offer.title}`);
    dismiss.textContent = '×';
    dismiss.addEventListener('click', () => {
      item.remove();
      offer.dismissed = true;
      this.#save();
      if (this.#list.childElementCount === 0) this.#panel.hidden = true;
    });
    item.append(text, dismiss);
    return item;
  }
}

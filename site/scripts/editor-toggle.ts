/**
 * The Editor button of the lab page's toolbar: opens the file editor beside the
 * terminal (above it on a wide page; in its place on a phone) and closes it
 * again. Small on purpose: the editor itself (editor-panel.ts, with CodeMirror)
 * is fetched by a dynamic import the first time the learner opens it, so a lab
 * page whose editor stays closed loads none of it.
 */
import type { EditorPanel } from './editor-panel.ts';
import type { SessionKey } from './file-api.ts';

export class EditorToggle {
  readonly #panel: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #label: HTMLElement;
  /** Where the editor and the terminal sit: data-editor-open there lays them out. */
  readonly #column: HTMLElement;
  #session: SessionKey | undefined;
  #editor: Promise<EditorPanel> | undefined;

  constructor(root: HTMLElement) {
    const panel = root.querySelector<HTMLElement>('[data-testid="lab-editor"]');
    const button = root.querySelector<HTMLButtonElement>('[data-testid="lab-editor-toggle"]');
    const label = button?.querySelector<HTMLElement>('[data-editor-toggle-label]');
    const column = panel?.closest<HTMLElement>('.terminal-panel');
    if (!panel || !button || !label || !column)
      throw new Error('the lab page lacks the editor’s markup');
    this.#panel = panel;
    this.#button = button;
    this.#label = label;
    this.#column = column;
    button.addEventListener('click', () => void (this.#isOpen ? this.close() : this.open()));
    panel.querySelector('[data-editor-close]')?.addEventListener('click', () => this.close());
    this.#render();
  }

  get #isOpen(): boolean {
    return !this.#panel.hidden;
  }

  /** The live session whose files the editor shows, or `undefined` while there is none. */
  connect(session: SessionKey | undefined): void {
    if (session?.id === this.#session?.id) return;
    this.#session = session;
    if (!session && this.#isOpen) this.close();
    void this.#editor?.then((editor) => editor.setSession(session));
    this.#render();
  }

  async open(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#panel.hidden = false;
    this.#column.dataset.editorOpen = '';
    this.#render();
    this.#editor ??= import('./editor-panel.ts').then(({ EditorPanel }) => {
      const editor = new EditorPanel(this.#panel, session);
      void editor.showFolder();
      return editor;
    });
    try {
      const editor = await this.#editor;
      editor.setSession(this.#session);
      editor.focus();
    } catch (error) {
      // A chunk that failed to load may load next time.
      this.#editor = undefined;
      console.error('[drydock] the editor could not be loaded', error);
      const message = this.#panel.querySelector('[data-editor-message]');
      if (message) {
        message.textContent =
          'The editor could not be loaded. Check your connection and try again.';
        (message as HTMLElement).dataset.tone = 'error';
      }
    }
  }

  close(): void {
    this.#panel.hidden = true;
    delete this.#column.dataset.editorOpen;
    this.#render();
    if (this.#session) this.#button.focus();
  }

  #render(): void {
    this.#button.disabled = !this.#session;
    this.#button.setAttribute('aria-expanded', String(this.#isOpen));
    this.#label.textContent = this.#isOpen ? 'Close editor' : 'Editor';
  }
}

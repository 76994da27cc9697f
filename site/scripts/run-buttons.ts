/**
 * "Commands to click": a Run button under each code block the lab's author
 * marked ```` ```sh run ```` (data-run, put there by site/lib/run-marker-plugin.ts).
 * Run types the block into the learner's shell followed by Enter; a block marked
 * `run interrupt` presses Ctrl-C first, to stop what runs in the foreground.
 * Without a shell to type into, the buttons are disabled and say why. Copying
 * is Expressive Code's own button, on every block.
 */

import '../styles/run-buttons.css';

/** Types text into the shell; false if no shell took it. */
export type SendToShell = (text: string) => boolean;

/** Long enough for a Ctrl-C to stop the foreground program before the command arrives. */
const AFTER_INTERRUPT_MS = 200;

/** How long "Sent to the terminal" stays before the button's note clears. */
const SENT_NOTE_MS = 2500;

interface RunBlock {
  button: HTMLButtonElement;
  note: HTMLElement;
  command: string;
  interrupt: boolean;
}

export class RunButtons {
  readonly #blocks: RunBlock[] = [];
  #send: SendToShell | undefined;
  #reason = 'Start the sandbox to run this.';

  constructor(root: ParentNode) {
    root.querySelectorAll<HTMLElement>('[data-run][data-run-code]').forEach((block, index) => {
      const bar = document.createElement('div');
      bar.className = 'run-bar not-content';
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'run-button';
      button.dataset.testid = 'run-command';
      const interrupt = block.dataset.run === 'interrupt';
      button.innerHTML =
        '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path fill="currentColor" d="M4 2.5v11l9-5.5z"/></svg>';
      button.append(interrupt ? 'Stop and run' : 'Run');
      const note = document.createElement('span');
      note.className = 'run-note';
      note.id = `run-note-${index}`;
      note.setAttribute('aria-live', 'polite');
      button.setAttribute('aria-describedby', note.id);
      button.title = interrupt
        ? 'Press Ctrl-C in the terminal, then type this command and Enter'
        : 'Type this command into the terminal and press Enter';
      bar.append(button, note);
      block.after(bar);
      const run: RunBlock = { button, note, command: block.dataset.runCode!, interrupt };
      button.addEventListener('click', () => void this.#run(run));
      this.#blocks.push(run);
    });
    this.#render();
  }

  /** A shell takes input now (`send`), or none does and `reason` says why. */
  update(send: SendToShell | undefined, reason = 'Start the sandbox to run this.'): void {
    if (this.#send === send && this.#reason === reason) return;
    this.#send = send;
    this.#reason = reason;
    this.#render();
  }

  #render(): void {
    for (const { button, note } of this.#blocks) {
      button.disabled = !this.#send;
      note.textContent = this.#send ? '' : this.#reason;
    }
  }

  async #run(block: RunBlock): Promise<void> {
    const send = this.#send;
    if (!send) return;
    // The terminal sends Enter as a carriage return; so do we, after every line.
    const typed = block.command.replace(/\r?\n/g, '\r') + '\r';
    let sent = true;
    if (block.interrupt) {
      sent = send('\x03');
      await new Promise((resolve) => setTimeout(resolve, AFTER_INTERRUPT_MS));
    }
    sent = sent && send(typed);
    block.note.textContent = sent ? 'Sent to the terminal.' : this.#reason;
    setTimeout(() => {
      if (block.note.textContent === 'Sent to the terminal.') block.note.textContent = '';
    }, SENT_NOTE_MS);
  }
}

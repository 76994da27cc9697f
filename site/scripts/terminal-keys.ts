/**
 * The lab page's keyboard and assistive aids around the terminal, wired in one
 * place so lab-page.ts only hands over the terminal once it exists:
 *
 * - **Ctrl+M, then Tab** (or Shift+Tab) moves the focus out of the terminal,
 *   which otherwise keeps Tab for the shell's completion: without a way out it
 *   is a keyboard trap (WCAG 2.1.2). Ctrl+M is VS Code's key for "Tab moves
 *   focus", and costs a shell nothing: in a terminal it is only another Enter
 *   (CR), which the Enter key still sends. It arms the next key only, so Tab
 *   completes again once the learner is back. Esc then Tab (CodeMirror's pair)
 *   was tried and dropped: the Esc must reach the shell for vim, and then bash
 *   holds it as a Meta prefix for the learner's first key back (`sed` ran as
 *   M-s, `ed`). Ctrl+Tab is the browser's, and F-keys are the desktop's.
 * - **Ctrl+Enter** (⌘+Enter on a Mac) presses Check, from anywhere on the page,
 *   the terminal included: in a terminal it is only another Enter.
 * - The **screen-reader mode** switch (xterm's accessibility tree), remembered
 *   in this browser.
 * - The phone's **extra keys** (extra-keys.ts).
 */
import { ExtraKeys } from './extra-keys.ts';
import type { LabTerminal } from './lab-terminal.ts';

const SCREEN_READER_KEY = 'drydock.terminal.screen-reader';

export interface TerminalAids {
  /** The terminal exists (after the first Start): the aids act on it from now on. */
  attach(terminal: LabTerminal): void;
}

function remembered(): boolean {
  try {
    return localStorage.getItem(SCREEN_READER_KEY) === 'on';
  } catch {
    return false;
  }
}

function remember(on: boolean): void {
  try {
    if (on) localStorage.setItem(SCREEN_READER_KEY, 'on');
    else localStorage.removeItem(SCREEN_READER_KEY);
  } catch {
    // Not kept: the switch still works for this page.
  }
}

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph']);

/** The M key: by the letter it types, or by its place on a layout without Latin letters (Cyrillic, Greek…). */
const isM = (event: KeyboardEvent) =>
  event.key.toLowerCase() === 'm' || (!/^[a-z]$/i.test(event.key) && event.code === 'KeyM');

export function installTerminalAids(
  root: HTMLElement,
  options: { mount: HTMLElement; check: () => void },
): TerminalAids {
  let terminal: LabTerminal | undefined;
  const extraKeys = new ExtraKeys(root.querySelector<HTMLElement>('[data-extra-keys]')!);
  const toggle = root.querySelector<HTMLButtonElement>('[data-screen-reader-switch]')!;
  const hint = root.querySelector<HTMLElement>('[data-terminal-keys-hint]');

  let screenReader = remembered();
  const showSwitch = () => toggle.setAttribute('aria-checked', String(screenReader));
  showSwitch();
  toggle.addEventListener('click', () => {
    screenReader = !screenReader;
    remember(screenReader);
    showSwitch();
    terminal?.setScreenReaderMode(screenReader);
  });

  // Capture phase, before xterm's own listener on its textarea sees the key.
  let leaving = false;
  document.addEventListener(
    'keydown',
    (event) => {
      if (MODIFIERS.has(event.key)) return; // Shift, pressed on the way to Shift+Tab
      const inTerminal = event.target instanceof Node && options.mount.contains(event.target);
      const ctrlOnly = event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey;
      if (
        event.key === 'Enter' &&
        (event.ctrlKey || event.metaKey) &&
        !event.altKey &&
        !event.shiftKey &&
        (inTerminal || root.contains(event.target as Node) || event.target === document.body)
      ) {
        event.preventDefault();
        event.stopPropagation();
        leaving = false;
        options.check();
        return;
      }
      if (!inTerminal) {
        leaving = false;
        return;
      }
      if (ctrlOnly && isM(event)) {
        // Not sent to the shell: it arms the next Tab.
        event.preventDefault();
        event.stopPropagation();
        leaving = true;
        return;
      }
      if (leaving && event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey) {
        // Not passed to xterm, and not prevented: the browser moves the focus as for any Tab.
        event.stopPropagation();
      }
      leaving = false;
    },
    { capture: true },
  );

  return {
    attach(attached) {
      terminal = attached;
      terminal.setScreenReaderMode(screenReader);
      extraKeys.attach(attached);
      // A screen reader announces the way out when the terminal takes the focus.
      const input = options.mount.querySelector('textarea');
      if (input && hint?.id) input.setAttribute('aria-describedby', hint.id);
    },
  };
}

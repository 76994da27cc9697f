/**
 * The lab page's terminal tabs ("Terminal 1", "Terminal 2", …, and "+"): each
 * tab one of the session's terminals, its own shell in the sandbox with its own
 * xterm and WebSocket (docs/api.md, "More than one terminal"). Terminal 1 is the
 * page's own (lab-page.ts connects it; it carries the session's end, watchers,
 * broadcasts and take-overs); this adds the others. Which tabs exist comes from
 * the server's list whenever terminal 1 (re)attaches, so a reload, another page
 * or a server restart all end in the tabs the sandbox really has. Markup and
 * styles: site/components/lab/TerminalTabs.astro.
 *
 * Keyboard: the ARIA tabs pattern (arrows, Home and End move between tabs and
 * show them; Tab leaves the list), Delete closes the focused tab but the first.
 */
import type { CreatedSession } from '../../protocol/session.ts';
import { ApiError } from './lab-api.ts';
import type { LabTerminal } from './lab-terminal.ts';
import type { SessionConnection } from './session-connection.ts';
import { closeTerminal, listTerminals, openTerminal } from './terminal-tabs-api.ts';

declare global {
  interface Window {
    /** For tests: terminal `n`'s visible lines, joined by "\n" ("" if it has no tab). */
    __drydockTerminalTabText?: (n: number) => string;
  }
}

export interface TabsHost {
  /** A terminal in `mount`, fitted to it now (the module is loaded before any tab opens). */
  createTerminal(mount: HTMLElement): LabTerminal;
  /** A connection of `terminal` to the session (its code is loaded with the terminal's, on demand). */
  connect(...args: ConstructorParameters<typeof SessionConnection>): SessionConnection;
  /** The shown terminal changed: the page's keyboard aids and extra keys follow it. */
  onSwitch(terminal: LabTerminal): void;
  /** What reads each terminal's output as it arrives (the error spotter). */
  watchOutput?(): (bytes: Uint8Array) => void;
}

interface Tab {
  number: number;
  button: HTMLButtonElement;
  panel: HTMLElement;
  terminal: LabTerminal | undefined;
  connection: SessionConnection | undefined;
}

const label = (n: number) => `Terminal ${n}`;
/** How long a refusal stays over the terminal. */
const NOTE_SHOWN_MS = 10_000;

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class TerminalTabs {
  readonly #strip: HTMLElement;
  readonly #list: HTMLElement;
  readonly #add: HTMLButtonElement;
  readonly #note: HTMLElement;
  readonly #firstPanel: HTMLElement;
  readonly #host: TabsHost;
  readonly #tabs = new Map<number, Tab>();
  /** Tabs this page is closing: they go when the server says the shell has ended, not before. */
  readonly #closing = new Set<number>();
  #session: CreatedSession | undefined;
  #active = 1;
  /** Bumped by every connect and disconnect: an answer for an older session is dropped. */
  #epoch = 0;
  #noteTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, firstPanel: HTMLElement, host: TabsHost) {
    this.#strip = root.querySelector<HTMLElement>('[data-terminal-tabs]')!;
    this.#list = this.#strip.querySelector<HTMLElement>('[role="tablist"]')!;
    this.#add = this.#strip.querySelector<HTMLButtonElement>('[data-terminal-new]')!;
    this.#note = this.#strip.querySelector<HTMLElement>('[data-terminal-tabs-note]')!;
    this.#firstPanel = firstPanel;
    this.#host = host;
    firstPanel.id = 'terminal-panel-1';
    firstPanel.setAttribute('role', 'tabpanel');
    firstPanel.setAttribute('aria-labelledby', 'terminal-tab-1');
    this.#tabs.set(1, this.#tab(1, firstPanel));
    this.#select(1);
    this.#add.addEventListener('click', () => void this.open());
    this.#list.addEventListener('keydown', (event) => this.#onKey(event));
    window.__drydockTerminalTabText = (n) => this.#tabs.get(n)?.terminal?.visibleText() ?? '';
  }

  /** The connection of the shown tab, unless it is terminal 1 (the page's own). */
  get activeConnection(): SessionConnection | undefined {
    return this.#active === 1 ? undefined : this.#tabs.get(this.#active)?.connection;
  }

  /** A session's terminal 1 is connected: show the strip; tabs of an earlier session go. */
  connect(session: CreatedSession, first: LabTerminal): void {
    this.#epoch++;
    if (this.#session?.id !== session.id) for (const n of this.#extra()) this.#remove(n);
    this.#session = session;
    this.#tabs.get(1)!.terminal = first;
    this.#strip.dataset.live = '';
    this.#note.textContent = '';
    this.#add.disabled = false;
  }

  /**
   * Terminal 1 is attached (at start, after a reload or a reconnect): open a tab
   * for every terminal the server lists that has none yet, and show the one this
   * browser tab showed last.
   */
  async restore(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const epoch = this.#epoch;
    let numbers: number[];
    try {
      numbers = (await listTerminals(session.id, session.token)).terminals.map((t) => t.number);
    } catch (error) {
      if (epoch === this.#epoch) this.#say(error);
      return;
    }
    if (epoch !== this.#epoch) return;
    const shown = this.#remembered();
    for (const n of numbers) if (!this.#tabs.has(n)) this.#addTab(n, false);
    if (shown !== undefined && this.#tabs.has(shown) && shown !== this.#active) this.#select(shown);
  }

  /** The session is over: extra tabs keep their output to read, but take no input. */
  disconnect(): void {
    this.#epoch++;
    for (const n of this.#extra()) {
      const tab = this.#tabs.get(n)!;
      tab.connection?.close();
      tab.connection = undefined;
      tab.terminal?.setActive(false);
    }
    delete this.#strip.dataset.live;
    this.#add.disabled = true;
  }

  /** "+": the server opens the next terminal (or says why not), and its tab is shown. */
  async open(): Promise<void> {
    const session = this.#session;
    if (!session || this.#add.disabled) return;
    const epoch = this.#epoch;
    this.#add.disabled = true;
    this.#note.textContent = '';
    try {
      const n = await openTerminal(session.id, session.token);
      if (epoch !== this.#epoch) return;
      if (!this.#tabs.has(n)) this.#addTab(n, true);
      else this.#select(n);
      this.#tabs.get(n)!.terminal?.focus();
    } catch (error) {
      if (epoch === this.#epoch) this.#say(error);
    } finally {
      if (epoch === this.#epoch) this.#add.disabled = false;
    }
  }

  /** Closes terminal `n` on the server (its shell ends), asking first if a program runs in it. */
  async close(n: number): Promise<void> {
    const session = this.#session;
    if (!session || n === 1 || !this.#tabs.has(n)) return;
    if (this.#strip.dataset.live === undefined) {
      // The session is over: nothing runs any more; the tab only goes.
      this.#remove(n);
      return;
    }
    const epoch = this.#epoch;
    this.#note.textContent = '';
    const running = await listTerminals(session.id, session.token).then(
      (list) => list.terminals.find((t) => t.number === n)?.running,
      () => undefined,
    );
    if (
      running &&
      !window.confirm(
        `“${running}” is still running in ${label(n)}. Close the terminal and end it?`,
      )
    )
      return;
    // The server closes the tab's socket before it ends the shell: a tab gone at that
    // point would come back on a reload made in between.
    this.#closing.add(n);
    try {
      await closeTerminal(session.id, session.token, n);
    } catch (error) {
      // Closed already (from another page): the tab goes all the same.
      if (!(error instanceof ApiError && error.code === 'TERMINAL_NOT_FOUND')) {
        if (epoch === this.#epoch) this.#say(error);
        return;
      }
    } finally {
      this.#closing.delete(n);
    }
    this.#remove(n);
  }

  #extra(): number[] {
    return [...this.#tabs.keys()].filter((n) => n !== 1);
  }

  #say(error: unknown): void {
    clearTimeout(this.#noteTimer);
    // It lies over the terminal's first lines: gone after a while, or at the next action.
    this.#noteTimer = setTimeout(() => (this.#note.textContent = ''), NOTE_SHOWN_MS);
    this.#note.textContent =
      error instanceof ApiError
        ? sentence(error.message)
        : 'Something went wrong in this page; reload it and try again.';
    if (!(error instanceof ApiError)) console.error('[drydock]', error);
  }

  #tab(n: number, panel: HTMLElement): Tab {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'terminal-tab';
    button.id = `terminal-tab-${n}`;
    button.dataset.testid = `terminal-tab-${n}`;
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-controls', panel.id);
    const name = document.createElement('span');
    name.textContent = label(n);
    button.append(name);
    if (n !== 1) {
      // Inside the tab for the eye and the pointer; keyboards close with Delete (no button in a button).
      const close = document.createElement('span');
      close.className = 'terminal-tab-close';
      close.dataset.testid = `terminal-tab-close-${n}`;
      close.setAttribute('aria-hidden', 'true');
      close.title = `Close ${label(n)}`;
      close.textContent = '×';
      close.addEventListener('click', (event) => {
        event.stopPropagation();
        void this.close(n);
      });
      button.append(close);
      button.setAttribute('aria-keyshortcuts', 'Delete');
      button.title = `${label(n)} (Delete closes it)`;
    }
    button.addEventListener('click', () => this.#select(n));
    const after = [...this.#tabs.values()].filter((t) => t.number < n).at(-1);
    if (after) after.button.after(button);
    else this.#list.prepend(button);
    return { number: n, button, panel, terminal: undefined, connection: undefined };
  }

  /** A tab for terminal `n`, its xterm and its socket; shown now if `show`. */
  #addTab(n: number, show: boolean): void {
    const session = this.#session!;
    // A copy of the first panel: the same classes (and the component's scoped styles).
    const panel = this.#firstPanel.cloneNode(false) as HTMLElement;
    panel.id = `terminal-panel-${n}`;
    panel.dataset.testid = `lab-terminal-${n}`;
    panel.setAttribute('aria-labelledby', `terminal-tab-${n}`);
    const before = [...this.#tabs.values()].filter((t) => t.number < n).at(-1)!;
    before.panel.after(panel);
    const tab = this.#tab(n, panel);
    this.#tabs.set(n, tab);
    // Created while visible, so it opens at the panel's size; hidden again in the same task.
    panel.hidden = false;
    const terminal = this.#host.createTerminal(panel);
    panel.hidden = true;
    tab.terminal = terminal;
    tab.connection = this.#host.connect(
      session,
      terminal,
      {
        onProgress: () => (tab.button.dataset.state = 'connecting'),
        onReady: () => {
          tab.button.dataset.state = 'ready';
          terminal.fit();
        },
        onEnded: (detail) => {
          terminal.notice(detail);
          terminal.setActive(false);
          tab.button.dataset.state = 'ended';
        },
        onRefused: (detail) => {
          terminal.notice(detail);
          terminal.setActive(false);
        },
        // Terminal 1's socket carries these to the page; every socket is told them.
        onWatched: () => {},
        onBroadcast: () => {},
        onTakeover: () => {},
        // Closed from another page of this learner's; this page's own close waits for its answer.
        onTerminalClosed: () => {
          if (!this.#closing.has(n)) this.#remove(n);
        },
        ...(this.#host.watchOutput ? { onOutput: this.#host.watchOutput() } : {}),
      },
      n,
    );
    if (show) this.#select(n);
    else this.#select(this.#active);
  }

  #remove(n: number): void {
    const tab = this.#tabs.get(n);
    if (!tab || n === 1) return;
    const hadFocus = tab.button.contains(document.activeElement);
    tab.connection?.close();
    tab.terminal?.dispose();
    tab.panel.remove();
    tab.button.remove();
    this.#tabs.delete(n);
    if (this.#active === n) {
      const left = [...this.#tabs.keys()].filter((k) => k < n).at(-1) ?? 1;
      this.#select(left);
      if (hadFocus) this.#tabs.get(left)!.button.focus();
    }
  }

  #select(n: number): void {
    this.#active = n;
    for (const tab of this.#tabs.values()) {
      const selected = tab.number === n;
      tab.button.setAttribute('aria-selected', String(selected));
      tab.button.tabIndex = selected ? 0 : -1;
      tab.panel.hidden = !selected;
    }
    const shown = this.#tabs.get(n)?.terminal;
    if (shown) {
      shown.fit();
      this.#host.onSwitch(shown);
    }
    this.#remember(n);
  }

  #onKey(event: KeyboardEvent): void {
    const numbers = [...this.#tabs.keys()].sort((a, b) => a - b);
    const at = numbers.indexOf(this.#active);
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = numbers[(at + 1) % numbers.length];
    else if (event.key === 'ArrowLeft') next = numbers[(at - 1 + numbers.length) % numbers.length];
    else if (event.key === 'Home') next = numbers[0];
    else if (event.key === 'End') next = numbers.at(-1);
    else if (event.key === 'Delete' && this.#active !== 1) {
      event.preventDefault();
      void this.close(this.#active);
      return;
    } else return;
    event.preventDefault();
    this.#select(next!);
    this.#tabs.get(next!)!.button.focus();
  }

  get #storageKey(): string | undefined {
    return this.#session && `drydock:terminal-tab:${this.#session.id}`;
  }

  #remember(n: number): void {
    try {
      if (this.#storageKey) sessionStorage.setItem(this.#storageKey, String(n));
    } catch {
      // Not kept: a reload shows terminal 1.
    }
  }

  #remembered(): number | undefined {
    try {
      const value = this.#storageKey && sessionStorage.getItem(this.#storageKey);
      return value ? Number(value) : undefined;
    } catch {
      return undefined;
    }
  }
}

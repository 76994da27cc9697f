/**
 * Controller of the lab page: availability banner, Start / Check / Stop /
 * Extend, and the status line. The terminal connection is SessionConnection's
 * job, the task list TaskList's, the countdown SessionClock's. Markup:
 * site/components/lab/.
 *
 * The session's id and token are kept in sessionStorage, so that a reload (or
 * a tab restored after a crash) finds the same sandbox and shell again. Leaving
 * the page does not remove the sandbox: the server's idle timeout does.
 */
import {
  ApiError,
  checkSession,
  createSessionInLine,
  deleteSession,
  extendSession,
  getSession,
  getStatus,
  UNREACHABLE,
} from './lab-api.ts';
import type { LabTerminal } from './lab-terminal.ts';
import { EditorToggle } from './editor-toggle.ts';
import { ErrorHints } from './error-spotter.ts';
import { LiveVerdicts } from './live-verdicts.ts';
import { RunButtons } from './run-buttons.ts';
import { rememberCheck } from './progress-store.ts';
import { SessionClock } from './session-clock.ts';
import type { SessionConnection } from './session-connection.ts';
import { appliedSummary, SkipSolution } from './skip-solution.ts';
import { TakeoverBar } from './takeover-bar.ts';
import { PreviewControl } from './preview-control.ts';
import { TaskList } from './task-list.ts';
import { TerminalTabs } from './terminal-tabs.ts';
import { loadTerminal, type TerminalCode } from './terminal-loader.ts';
import { installTerminalAids, type TerminalAids } from './terminal-keys.ts';
import { END_MESSAGES, type EndReason } from '../../protocol/end-reasons.ts';
import type { CreatedSession, Session } from '../../protocol/session.ts';

declare global {
  interface Window {
    /** For tests: the terminal's visible lines, joined by "\n" ("" before Start). */
    __drydockTerminalText?: () => string;
    /** For tests: every line of the terminal's active buffer, scrollback included, and which buffer it is. */
    __drydockTerminalBuffer?: () => { buffer: 'normal' | 'alternate'; lines: string[] };
  }
}

/** A session this page created (or found again after a reload), so it holds the token. */
type OwnSession = CreatedSession;

type Phase = 'idle' | 'starting' | 'ready' | 'checking' | 'stopping' | 'stopped' | 'error';

const SESSION_GONE = 'The session no longer exists (it may have expired). Start a new one.';

/** The Extend button shows when less time than this is left and the server allows one more. */
const EXTEND_WINDOW_SECONDS = 10 * 60;

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "No Docker engine…" → "no Docker engine…", to follow "Labs are unavailable:". Leaves "API…" alone. */
function clause(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return sentence(error.message);
  console.error('[drydock]', error);
  return 'Something went wrong in this page; reload it and try again.';
}

function required<T extends Element>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`lab page markup is missing ${selector}`);
  return element;
}

class LabPage {
  readonly #slug: string;
  readonly #tasks: TaskList;
  readonly #clock: SessionClock;
  readonly #takeover: TakeoverBar;
  readonly #runButtons: RunButtons;
  readonly #errorHints: ErrorHints;
  readonly #liveVerdicts: LiveVerdicts;
  readonly #aids: TerminalAids;
  readonly #skip: SkipSolution;
  readonly #editor: EditorToggle;
  readonly #tabs: TerminalTabs;
  readonly #preview: PreviewControl;
  readonly #ui: {
    start: HTMLButtonElement;
    check: HTMLButtonElement;
    stop: HTMLButtonElement;
    status: HTMLElement;
    statusText: HTMLElement;
    statusDetail: HTMLElement;
    banner: HTMLElement;
    bannerReason: HTMLElement;
    bannerTitle: HTMLElement;
    bannerMore: HTMLElement;
    mount: HTMLElement;
    placeholder: HTMLElement;
    terminalWindow: HTMLElement;
    extend: HTMLButtonElement;
    watched: HTMLElement;
    watchedBy: HTMLElement;
    broadcast: HTMLElement;
    broadcastFrom: HTMLElement;
    broadcastMessage: HTMLElement;
  };

  #phase: Phase = 'idle';
  #available = true;
  #session: OwnSession | undefined;
  #connection: SessionConnection | undefined;
  #terminal: LabTerminal | undefined;
  /** The terminal code, once loaded (terminal-loader.ts): the tabs make theirs with it. */
  #terminalCode: TerminalCode | undefined;
  #canExtend = false;
  #dismissedBroadcast: string | undefined;
  #secondsLeft = Infinity;

  constructor(root: HTMLElement) {
    this.#slug = root.dataset.lab!;
    this.#tasks = new TaskList(root);
    this.#takeover = new TakeoverBar(root);
    this.#runButtons = new RunButtons(required(root, '#lab-instructions'));
    this.#errorHints = new ErrorHints(root);
    this.#editor = new EditorToggle(root);
    this.#liveVerdicts = new LiveVerdicts(root, this.#tasks, (shown) =>
      rememberCheck(this.#slug, shown, this.#tasks.ids),
    );
    this.#preview = new PreviewControl(root);
    this.#clock = new SessionClock(
      required(root, '[data-time-left]'),
      required(root, '[data-time-left-value]'),
    );
    this.#ui = {
      start: required(root, '[data-testid="lab-start"]'),
      check: required(root, '[data-testid="lab-check"]'),
      stop: required(root, '[data-testid="lab-stop"]'),
      status: required(root, '[data-testid="lab-status"]'),
      statusText: required(root, '[data-status-text]'),
      statusDetail: required(root, '[data-status-detail]'),
      banner: required(root, '[data-testid="labs-unavailable"]'),
      bannerReason: required(root, '[data-unavailable-reason]'),
      bannerTitle: required(root, '[data-unavailable-title]'),
      bannerMore: required(root, '[data-unavailable-more]'),
      mount: required(root, '[data-testid="lab-terminal"]'),
      placeholder: required(root, '[data-terminal-placeholder]'),
      terminalWindow: required(root, '[data-terminal-window]'),
      extend: required(root, '[data-testid="lab-extend"]'),
      watched: required(root, '[data-testid="lab-watched"]'),
      watchedBy: required(root, '[data-watched-by]'),
      broadcast: required(root, '[data-testid="lab-broadcast"]'),
      broadcastFrom: required(root, '[data-broadcast-from]'),
      broadcastMessage: required(root, '[data-broadcast-message]'),
    };
    this.#aids = installTerminalAids(root, {
      // Every tab's terminal: the way out (Ctrl+M, Tab) works in each.
      mount: this.#ui.mount.parentElement ?? this.#ui.mount,
      check: () => void this.check(),
    });
    this.#skip = new SkipSolution(root, {
      session: () => this.#session,
      ready: () => this.#phase === 'ready',
      busy: () =>
        this.#setPhase('checking', 'Applying the solution…', 'The lab’s fix runs in your sandbox.'),
      applied: (results) => {
        this.#tasks.showResults(results);
        rememberCheck(this.#slug, results, this.#tasks.ids);
        this.#setPhase('ready', 'Ready', appliedSummary(results));
      },
      settled: () => this.#setPhase('ready', 'Ready', 'The solution was not applied.'),
      gone: () => this.#end(SESSION_GONE),
    });
    this.#tabs = new TerminalTabs(root, this.#ui.mount, {
      createTerminal: (mount) => this.#terminalCode!.createTerminal(mount),
      connect: (...args) => new this.#terminalCode!.SessionConnection(...args),
      onSwitch: (terminal) => this.#aids.attach(terminal),
      watchOutput: () => this.#errorHints.watch(this.#session?.id ?? ''),
    });
    this.#clock.onTick = (left) => {
      this.#secondsLeft = left;
      this.#renderExtend();
    };

    window.__drydockTerminalText = () => this.#terminal?.visibleText() ?? '';
    window.__drydockTerminalBuffer = () =>
      this.#terminal?.bufferLines() ?? { buffer: 'normal', lines: [] };
    this.#ui.start.addEventListener('click', () => void this.start());
    this.#ui.check.addEventListener('click', () => void this.check());
    this.#ui.stop.addEventListener('click', () => void this.stop());
    this.#ui.extend.addEventListener('click', () => void this.extend());
    required(root, '[data-broadcast-dismiss]').addEventListener('click', () => {
      this.#ui.broadcast.hidden = true;
      this.#dismissedBroadcast = this.#ui.broadcast.dataset.at;
    });
    // Back from the back/forward cache, or the network is back: reconnect now, not at the next backoff step.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) this.#connection?.reconnectNow();
    });
    window.addEventListener('online', () => this.#connection?.reconnectNow());
    this.#render();
    void this.#checkAvailability().then(() => this.#resume());
  }

  get #storageKey(): string {
    return `drydock:session:${this.#slug}`;
  }

  #remember(session: OwnSession | undefined): void {
    try {
      if (session)
        sessionStorage.setItem(
          this.#storageKey,
          JSON.stringify({ id: session.id, token: session.token }),
        );
      else sessionStorage.removeItem(this.#storageKey);
    } catch {
      // Storage disabled: a reload then starts afresh, which is what it did before.
    }
  }

  #remembered(): { id: string; token: string } | undefined {
    try {
      const value = JSON.parse(sessionStorage.getItem(this.#storageKey) ?? 'null') as {
        id?: unknown;
        token?: unknown;
      } | null;
      return typeof value?.id === 'string' && typeof value.token === 'string'
        ? { id: value.id, token: value.token }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** After a reload: the session this tab had, if the server still has it (or why it ended). */
  async #resume(): Promise<void> {
    const saved = this.#remembered();
    if (!saved || this.#session || this.#busy()) return;
    let session: Session;
    try {
      session = await getSession(saved.id, saved.token);
    } catch (error) {
      // 404: long gone. Unreachable or unavailable: say so through the banner; keep it for the next reload.
      if (error instanceof ApiError && error.status === 404) this.#remember(undefined);
      return;
    }
    if (this.#session || this.#busy()) return;
    if (session.state !== 'starting' && session.state !== 'ready') {
      this.#remember(undefined);
      const reason = session.endReason;
      const detail = session.message
        ? sentence(session.message)
        : reason
          ? END_MESSAGES[reason]
          : 'The session ended.';
      const failed = reason === 'failed' || reason === 'engine' || reason === 'memory';
      this.#setPhase(
        failed ? 'error' : 'stopped',
        failed ? 'Sandbox failed' : 'Session ended',
        detail,
      );
      return;
    }
    try {
      await loadTerminal();
    } catch (error) {
      this.#setPhase('error', 'Could not show the terminal', errorMessage(error));
      return;
    }
    this.#setPhase('starting', 'Reconnecting…', 'Finding your sandbox again.');
    await this.#attach({ ...session, token: saved.token });
  }

  async start(): Promise<void> {
    if (!this.#available || this.#busy() || this.#session) return;
    this.#setPhase(
      'starting',
      'Starting the sandbox…',
      'Asking the lab server for a fresh sandbox.',
    );
    let session: CreatedSession;
    try {
      const waiting = (place: { position: number }) =>
        this.#setPhase(
          'starting',
          `All sandboxes are busy — you are number ${place.position} in line`,
          'Keep this page open: you get the next free sandbox.',
        );
      [session] = await Promise.all([createSessionInLine(this.#slug, waiting), loadTerminal()]);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 503 || error.code === UNREACHABLE)) {
        this.#setAvailable(false, error.message);
      }
      this.#setPhase('error', 'Could not start the sandbox', errorMessage(error));
      return;
    }
    this.#tasks.reset();
    this.#setPhase('starting', 'Starting the sandbox…', session.message);
    await this.#attach(session);
  }

  /** Shows the terminal and the clock, and connects them to a live session. */
  async #attach(own: OwnSession): Promise<void> {
    this.#session = own;
    this.#remember(own);
    this.#canExtend = own.canExtend === true;
    const terminal = await this.#showTerminal();
    const { SessionConnection } = await loadTerminal();
    this.#clock.start(own.expiresAt, own.serverTime);
    this.#connection = new SessionConnection(own, terminal, {
      onProgress: (text, detail) => this.#setPhase('starting', text, detail),
      onReady: () => {
        this.#setPhase(
          'ready',
          'Ready',
          'Your shell is attached. Work through the tasks, then press Check.',
        );
        terminal.fit();
        terminal.focus();
        this.#editor.connect(own);
        void this.#tabs.restore();
      },
      onEnded: (detail, reason) => this.#end(detail, reason),
      onRefused: (detail) => this.#refused(detail),
      onWatched: (by) => this.#showWatchers(by),
      onBroadcast: (from, message, at) => this.#showBroadcast(from, message, at),
      onTakeover: (message) => this.#takeover.update(message),
      onOutput: this.#errorHints.watch(own.id),
      onLiveCheck: (results) => this.#liveVerdicts.show(results),
    });
    this.#tabs.connect(own, terminal);
    const connection = this.#connection;
    this.#takeover.connect({
      answer: (accept) => connection.answerTakeover(accept),
      stop: () => connection.stopTakeover(),
    });
  }

  /** The instructor's message to the class, as text, until the learner dismisses it. */
  #showBroadcast(from: string, message: string, at: string): void {
    // The same message again (a reconnect) stays dismissed.
    if (at === this.#dismissedBroadcast) return;
    this.#ui.broadcastFrom.textContent = `Message from ${from}`;
    this.#ui.broadcastMessage.textContent = message;
    this.#ui.broadcast.dataset.at = at;
    this.#ui.broadcast.hidden = false;
  }

  /** Nobody watches a learner unseen: the bar stays up for as long as anyone does. */
  #showWatchers(by: readonly string[]): void {
    const names =
      by.length <= 1 ? (by[0] ?? '') : `${by.slice(0, -1).join(', ')} and ${by.at(-1)!}`;
    // Names are set as text: a name is whatever the staff member's account says.
    this.#ui.watchedBy.textContent = `${names} ${by.length === 1 ? 'is' : 'are'} watching your terminal`;
    this.#ui.watched.hidden = by.length === 0;
  }

  async check(): Promise<void> {
    const session = this.#session;
    if (!session || this.#phase !== 'ready') return;
    const count = this.#tasks.size;
    this.#setPhase(
      'checking',
      'Checking…',
      `Running ${count === 1 ? 'the check' : `${count} checks`} in your sandbox.`,
    );
    try {
      const results = await checkSession(session.id, session.token);
      if (this.#session !== session) return;
      const passed = this.#tasks.showResults(results);
      rememberCheck(this.#slug, results, this.#tasks.ids);
      const total = results.length;
      this.#setPhase(
        'ready',
        'Ready',
        passed === total
          ? `All ${total} task${total === 1 ? '' : 's'} pass. Well done.`
          : `${passed} of ${total} tasks pass.`,
      );
    } catch (error) {
      if (this.#session !== session) return;
      if (error instanceof ApiError && error.status === 404) {
        this.#end('The session no longer exists (it may have expired). Start a new one.');
        return;
      }
      this.#setPhase('ready', 'Ready', `Check failed: ${errorMessage(error)}`);
    }
  }

  async extend(): Promise<void> {
    const session = this.#session;
    if (!session || !this.#canExtend) return;
    this.#ui.extend.disabled = true;
    try {
      const extended = await extendSession(session.id, session.token);
      if (this.#session !== session) return;
      session.expiresAt = extended.expiresAt;
      this.#canExtend = extended.canExtend === true;
      this.#clock.start(extended.expiresAt, extended.serverTime);
      this.#ui.statusDetail.textContent = 'Time limit extended.';
    } catch (error) {
      if (this.#session !== session) return;
      this.#canExtend = false;
      this.#ui.statusDetail.textContent = `Could not extend: ${errorMessage(error)}`;
    } finally {
      this.#ui.extend.disabled = false;
      this.#renderExtend();
    }
  }

  async stop(): Promise<void> {
    const session = this.#session;
    if (!session || this.#phase === 'stopping') return;
    this.#setPhase('stopping', 'Stopping…', 'Removing the sandbox and everything in it.');
    this.#connection?.close(1000, 'stopped by the learner');
    try {
      await deleteSession(session.id, session.token);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        // The server's reaper removes it eventually; say so instead of pretending it worked.
        this.#end(`Could not confirm the sandbox was removed: ${errorMessage(error)}`);
        return;
      }
    }
    this.#end('The sandbox was removed. Start again for a fresh one.');
  }

  // --- availability ----------------------------------------------------------

  async #checkAvailability(): Promise<void> {
    try {
      const status = await getStatus();
      const unsupported = status.available ? status.unsupported?.[this.#slug] : undefined;
      if (unsupported) {
        this.#setAvailable(false, unsupported, {
          title: 'This lab is unavailable here:',
          more: 'Its instructions, hints and solutions below still work; other labs run on this server as usual.',
        });
      } else if (status.available) {
        this.#setAvailable(true);
      } else {
        this.#setAvailable(false, status.reason);
      }
    } catch (error) {
      this.#setAvailable(
        false,
        error instanceof ApiError
          ? error.message
          : 'the lab server gave an answer this page cannot read.',
      );
    }
  }

  #setAvailable(available: boolean, reason = '', wording?: { title: string; more: string }): void {
    this.#available = available;
    this.#ui.banner.hidden = available;
    this.#ui.bannerReason.textContent = available ? '' : clause(reason);
    if (wording) {
      this.#ui.bannerTitle.textContent = wording.title;
      this.#ui.bannerMore.textContent = wording.more;
    }
    this.#render();
  }

  // --- terminal --------------------------------------------------------------

  async #showTerminal(): Promise<LabTerminal> {
    this.#ui.placeholder.hidden = true;
    this.#ui.terminalWindow.dataset.active = '';
    if (this.#terminal) {
      this.#terminal.clear();
      this.#terminal.setActive(true);
      return this.#terminal;
    }
    const code = await loadTerminal();
    this.#terminalCode = code;
    const { createTerminal } = code;
    this.#terminal = createTerminal(this.#ui.mount);
    this.#aids.attach(this.#terminal);
    return this.#terminal;
  }

  /** The session is over (stopped, expired, failed…): drop it and say why. */
  #end(detail: string, reason?: EndReason): void {
    this.#connection?.close();
    this.#connection = undefined;
    this.#tabs.disconnect();
    this.#showWatchers([]);
    this.#takeover.connect(undefined);
    this.#session = undefined;
    this.#editor.connect(undefined);
    this.#remember(undefined);
    this.#canExtend = false;
    this.#clock.stop();
    this.#renderExtend();
    const failed = reason === 'failed' || reason === 'engine' || reason === 'memory';
    this.#terminal?.notice(failed ? 'The sandbox failed' : 'Session ended');
    this.#terminal?.setActive(false);
    this.#terminal?.blur();
    delete this.#ui.terminalWindow.dataset.active;
    this.#setPhase(failed ? 'error' : 'stopped', failed ? 'Sandbox failed' : 'Stopped', detail);
  }

  /**
   * The server will not let this page reach the terminal (a refused origin): a
   * configuration fault, not the session's end. The sandbox is left as it is, so
   * Stop still removes it, and a reload after the fix finds it again.
   */
  #refused(detail: string): void {
    this.#connection?.close();
    this.#connection = undefined;
    this.#takeover.connect(undefined);
    this.#terminal?.notice('Connection refused');
    this.#terminal?.setActive(false);
    this.#terminal?.blur();
    this.#setPhase('error', 'The terminal connection was refused', detail);
  }

  // --- status and buttons ----------------------------------------------------

  #busy(): boolean {
    return this.#phase === 'starting' || this.#phase === 'checking' || this.#phase === 'stopping';
  }

  #setPhase(phase: Phase, text: string, detail = ''): void {
    this.#phase = phase;
    this.#ui.statusText.textContent = text;
    this.#ui.statusDetail.textContent = detail;
    this.#render();
  }

  #render(): void {
    const { start, check, stop, status } = this.#ui;
    const live = Boolean(this.#session);
    status.dataset.phase = this.#phase;
    start.disabled = !this.#available || live || this.#busy();
    start.textContent = this.#terminal && !live ? 'Start again' : 'Start';
    check.disabled = this.#phase !== 'ready';
    check.setAttribute('aria-busy', String(this.#phase === 'checking'));
    stop.disabled = !live || this.#phase === 'stopping';
    const ready = this.#phase === 'ready' || this.#phase === 'checking';
    this.#preview.update(ready ? this.#session : undefined);
    this.#renderExtend();
    this.#renderRunButtons();
    this.#skip.update();
  }

  /** Run buttons type into the shell only while one is attached; otherwise they say why not. */
  #renderRunButtons(): void {
    const connection = this.#connection;
    const ready = this.#phase === 'ready' || this.#phase === 'checking';
    if (connection && ready) this.#runButtons.update(this.#sendToShell);
    else if (!this.#available) this.#runButtons.update(undefined, 'Labs are unavailable here.');
    else if (this.#phase === 'starting')
      this.#runButtons.update(undefined, 'The sandbox is starting…');
    else this.#runButtons.update(undefined, 'Start the sandbox to run this.');
  }

  /** Into the terminal the learner sees (the tab shown). */
  readonly #sendToShell = (text: string): boolean =>
    (this.#tabs.activeConnection ?? this.#connection)?.send(text) ?? false;

  #renderExtend(): void {
    this.#ui.extend.hidden = !(
      this.#session &&
      this.#canExtend &&
      this.#secondsLeft < EXTEND_WINDOW_SECONDS
    );
  }
}

const root = document.querySelector<HTMLElement>('[data-lab-page]');
if (root) new LabPage(root);

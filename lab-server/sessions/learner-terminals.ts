/**
 * A session's terminals (protocol/terminals.ts, docs/api.md "More than one
 * terminal"): each is its own shell in the sandbox (a tmux session there), so
 * they outlive pages and server restarts as the first one always did. The
 * sandbox's tmux is the truth about which are open; this keeps a copy for the
 * terminal WebSocket to consult without an exec per connection, counts the
 * sockets attached to each, and opens and closes them one at a time.
 *
 * The limit (DRYDOCK_TERMINALS_PER_SESSION, N) counts both ways: terminals 1
 * to N may be open, and each may be shown by up to N sockets (pages) at once.
 * Terminal 1 opens with the session and closes with it; it is the one staff
 * watch and take over.
 */
import { EventEmitter } from 'node:events';
import { FIRST_TERMINAL, type OpenTerminal } from '../../protocol/terminals.ts';
import { AppError } from '../errors.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { Session } from './session.ts';

interface LearnerTerminalsEvents {
  /** Terminal `terminal` was closed: its sockets go (before its shell ends, so none reattaches). */
  closed: [terminal: number];
}

export class LearnerTerminals extends EventEmitter<LearnerTerminalsEvents> {
  private readonly session: Session;
  /** Sockets attached now, by terminal number. */
  private readonly sockets = new Map<number, number>();
  /** The open terminals as last read from (or done to) this sandbox. */
  private known: { sandbox: Sandbox; open: Promise<Set<number>> } | undefined;
  /** Opening and closing take turns: two at once would pick the same number. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(session: Session) {
    super();
    this.session = session;
  }

  /** Sockets showing terminal `terminal` now. */
  attachedTo(terminal: number): number {
    return this.sockets.get(terminal) ?? 0;
  }

  /** Counts a socket on `terminal` until the returned function is called. */
  attach(terminal: number): () => void {
    this.sockets.set(terminal, this.attachedTo(terminal) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.attachedTo(terminal) - 1;
      if (left > 0) this.sockets.set(terminal, left);
      else this.sockets.delete(terminal);
    };
  }

  /** Whether `terminal` is open (terminal 1 always is while the session lives). */
  async isOpen(terminal: number): Promise<boolean> {
    if (terminal === FIRST_TERMINAL) return true;
    const sandbox = this.session.sandbox;
    if (this.session.state !== 'ready' || !sandbox) return false;
    return (await this.openSet(sandbox)).has(terminal);
  }

  /** The open terminals, read from the sandbox now (with what runs in each). */
  async list(): Promise<OpenTerminal[]> {
    const sandbox = this.readySandbox();
    const shells = await sandbox.listShells();
    const open = new Set([FIRST_TERMINAL, ...shells.map((s) => s.terminal)]);
    this.known = { sandbox, open: Promise.resolve(open) };
    return [...open]
      .sort((a, b) => a - b)
      .map((number) => {
        const running = shells.find((s) => s.terminal === number)?.running;
        return { number, attached: this.attachedTo(number), ...(running ? { running } : {}) };
      });
  }

  /** Opens the lowest free terminal number up to `limit` and starts its shell. */
  open(limit: number): Promise<number> {
    return this.inTurn(async () => {
      const sandbox = this.readySandbox();
      const open = await this.openSet(sandbox);
      let number = FIRST_TERMINAL + 1;
      while (open.has(number)) number++;
      if (number > limit)
        throw new AppError(
          'TOO_MANY_TERMINALS',
          `This session already has ${limit} terminal${limit === 1 ? '' : 's'} open, as many as this server allows; close one first.`,
        );
      await sandbox.openShell(number, this.session.lab.manifest.workdir);
      open.add(number);
      return number;
    });
  }

  /** Closes terminal `terminal`: its sockets are closed, then its shell (and what runs in it) ends. */
  close(terminal: number): Promise<void> {
    return this.inTurn(async () => {
      const sandbox = this.readySandbox();
      if (terminal === FIRST_TERMINAL)
        throw new AppError(
          'TERMINAL_KEPT',
          'Terminal 1 stays open for as long as the session does: Stop ends it with the sandbox.',
        );
      const open = await this.openSet(sandbox);
      if (!open.has(terminal))
        throw new AppError('TERMINAL_NOT_FOUND', `Terminal ${terminal} is not open.`);
      open.delete(terminal);
      this.emit('closed', terminal);
      await sandbox.closeShell(terminal);
    });
  }

  private readySandbox(): Sandbox {
    const session = this.session;
    if (!session.live) throw new AppError('SESSION_ENDED', session.message);
    if (session.state !== 'ready' || !session.sandbox)
      throw new AppError('SESSION_NOT_READY', `The sandbox is not ready yet: ${session.message}`);
    return session.sandbox;
  }

  /** Read once per sandbox (a restarted server reads it again), then kept up to date here. */
  private openSet(sandbox: Sandbox): Promise<Set<number>> {
    if (this.known?.sandbox !== sandbox) {
      const open = sandbox
        .listShells()
        .then((shells) => new Set([FIRST_TERMINAL, ...shells.map((s) => s.terminal)]));
      this.known = { sandbox, open };
      // A failed read is tried again by the next caller.
      open.catch(() => {
        if (this.known?.open === open) this.known = undefined;
      });
    }
    return this.known.open;
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work, work);
    this.turn = result.catch(() => undefined);
    return result;
  }
}

const terminalsBySession = new WeakMap<Session, LearnerTerminals>();

/** The terminals of `session` (made at first use, gone with the session). */
export function terminalsOf(session: Session): LearnerTerminals {
  let terminals = terminalsBySession.get(session);
  if (!terminals) {
    terminals = new LearnerTerminals(session);
    terminalsBySession.set(session, terminals);
  }
  return terminals;
}

/**
 * Connects one browser WebSocket to the learner's shell in the session's
 * sandbox (a tmux control-mode client, sandbox/tmux-control.ts: every byte the
 * shell writes is passed on; closing the socket only detaches it, the shell and
 * what runs in it go on, and the next socket gets the history and screen back).
 * Every listener and timer is collected and disposed when either side closes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLOSE_SERVER_FAULT,
  CLOSE_SESSION_ENDED,
  CLOSE_TERMINAL_CLOSED,
} from '../../protocol/close-codes.ts';
import type { ClientMessage, ServerMessage } from '../../protocol/terminal-messages.ts';
import type { CheckResult } from '../sessions/lab-runner.ts';
import type { Terminal } from '../sandbox/sandbox.ts';
import { terminalsOf } from '../sessions/learner-terminals.ts';
import type { Session, Watcher } from '../sessions/session.ts';
import type { TakeoverDesk, TakeoverEnd } from '../sessions/takeover.ts';
import { FlowControl } from './flow-control.ts';
import { parseClientMessage } from './messages.ts';

const PING_INTERVAL_MS = 20_000;
/** A class's broadcast is shown again to terminals that attach this long after it was sent. */
const BROADCAST_SHOWN_MS = 15 * 60_000;
/** A failed attach looks at the sandbox this many times, this far apart, before calling it a fault. */
const DEATH_LOOKS = 8;
const DEATH_LOOK_MS = 250;

/**
 * A watcher's socket (an instructor's): read-only. Its input reaches the shell
 * only during a take-over the learner accepted, and its size never changes the
 * learner's screen; it is not one of the learner's terminals (their limit, their
 * idle clock), and `end` is called when it closes (the audit log's end of the watch).
 */
export interface WatchMode {
  watcher: Watcher;
  end: () => Promise<void>;
}

export class TerminalBridge {
  private readonly ws: WebSocket;
  private readonly session: Session;
  private readonly log: FastifyBaseLogger;
  private readonly watch: WatchMode | undefined;
  private readonly takeovers: TakeoverDesk;
  private readonly disposers: (() => void)[] = [];
  private terminal: Terminal | undefined;
  private flow: FlowControl | undefined;
  private size: { cols: number; rows: number };
  /** Which of the learner's terminals (protocol/terminals.ts); a watcher's is always the first. */
  private readonly number: number;
  private closed = false;

  constructor(
    ws: WebSocket,
    session: Session,
    log: FastifyBaseLogger,
    size: { cols: number; rows: number },
    opts: { takeovers: TakeoverDesk; watch?: WatchMode; terminal?: number },
  ) {
    this.ws = ws;
    this.session = session;
    this.log = log;
    this.size = size;
    this.takeovers = opts.takeovers;
    this.watch = opts.watch;
    this.number = opts.watch ? 1 : (opts.terminal ?? 1);
  }

  start(): void {
    if (this.watch) {
      const watch = this.watch;
      this.disposers.push(() => void watch.end());
    } else {
      this.session.terminals++;
      const terminals = terminalsOf(this.session);
      const release = terminals.attach(this.number);
      this.disposers.push(() => {
        this.session.terminals--;
        release();
        // The idle clock starts again when the last terminal goes.
        this.session.touch();
      });
      // Closed (from this page or another): this socket goes before its shell ends.
      const onClosed = (terminal: number) => {
        if (terminal !== this.number) return;
        this.ws.close(CLOSE_TERMINAL_CLOSED, `Terminal ${terminal} was closed.`);
        this.dispose();
      };
      terminals.on('closed', onClosed);
      this.disposers.push(() => terminals.off('closed', onClosed));
      // The learner is told whenever someone watches, and who.
      const onWatchers = () => this.sendWatchers();
      this.session.on('watchers', onWatchers);
      this.disposers.push(() => this.session.off('watchers', onWatchers));
      const onBroadcast = () => this.sendBroadcast();
      this.session.on('broadcast', onBroadcast);
      this.disposers.push(() => this.session.off('broadcast', onBroadcast));
      const onVerdicts = (results: CheckResult[], at: number) => this.sendVerdicts(results, at);
      this.session.on('verdicts', onVerdicts);
      this.disposers.push(() => this.session.off('verdicts', onVerdicts));
    }
    const onTakeover = (ended?: TakeoverEnd) => this.onTakeover(ended);
    this.session.on('takeover', onTakeover);
    this.disposers.push(() => this.session.off('takeover', onTakeover));
    const onMessage = (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary);
    const onClose = () => this.dispose();
    this.ws.on('message', onMessage);
    this.ws.on('close', onClose);
    this.ws.on('error', onClose);
    this.disposers.push(() => {
      this.ws.off('message', onMessage);
      this.ws.off('close', onClose);
      this.ws.off('error', onClose);
    });

    let alive = true;
    const onPong = () => (alive = true);
    this.ws.on('pong', onPong);
    const ping = setInterval(() => {
      if (!alive) return this.ws.terminate();
      alive = false;
      this.ws.ping();
    }, PING_INTERVAL_MS);
    this.disposers.push(() => {
      clearInterval(ping);
      this.ws.off('pong', onPong);
    });

    const onState = () => this.onState();
    this.session.on('state', onState);
    this.disposers.push(() => this.session.off('state', onState));
    this.onState();
  }

  private sendJson(message: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** The class's last broadcast, if it is recent: a page that reloads shows it again. */
  private sendBroadcast(): void {
    const last = this.session.lastBroadcast;
    if (!last || Date.now() - last.at > BROADCAST_SHOWN_MS) return;
    this.sendJson({
      type: 'broadcast',
      from: last.from,
      message: last.message,
      at: new Date(last.at).toISOString(),
    });
  }

  /** Tasks a live check judged (docs/live-checks.md); at attach, every verdict known so far. */
  private sendVerdicts(results: CheckResult[], at: number): void {
    if (results.length === 0) return;
    this.sendJson({ type: 'live-check', results, checkedAt: new Date(at).toISOString() });
  }

  private sendWatchers(): void {
    this.sendJson({ type: 'watched', by: [...this.session.watchers.values()].map((w) => w.name) });
  }

  /** Whether this socket is a watcher's whom the learner lets type now. */
  private get typing(): boolean {
    const takeover = this.session.takeover;
    return takeover?.state === 'granted' && takeover.watcherId === this.watch?.watcher.id;
  }

  /** Tells this socket where a take-over stands (and, once over, why); a watcher's keys follow. */
  private onTakeover(ended?: TakeoverEnd): void {
    const takeover = this.session.takeover;
    const mine = this.watch?.watcher.id;
    this.terminal?.allowKeys(this.typing);
    const whose = takeover ?? ended;
    // Why it ended is for the learner and for the watcher whose it was; others learn it is free.
    const told = !this.watch || ended?.watcherId === mine;
    this.sendJson({
      type: 'takeover',
      state: takeover?.state ?? 'none',
      by: whose?.name ?? null,
      yours: mine !== undefined && whose?.watcherId === mine,
      ...(ended && !takeover && told ? { outcome: ended.outcome } : {}),
    });
  }

  private onState(): void {
    const { state, message } = this.session;
    if (state === 'starting') this.sendJson({ type: 'status', state, message });
    else if (state === 'ready') void this.attach();
    else {
      this.sendJson({ type: 'ended', reason: this.session.endReason ?? 'failed', message });
      this.ws.close(CLOSE_SESSION_ENDED, message.slice(0, 120));
      this.dispose();
    }
  }

  private async attach(afterExit = false): Promise<void> {
    if (this.terminal || this.closed || !this.session.sandbox) return;
    const opened = this.size;
    try {
      const terminal = await this.session.sandbox.openTerminal({
        ...this.size,
        workdir: this.session.lab.manifest.workdir,
        afterExit,
        readOnly: this.watch !== undefined,
        terminal: this.number,
      });
      if (this.closed) return void terminal.detach();
      this.terminal = terminal;
      // A resize that came while it attached.
      if (this.size.cols !== opened.cols || this.size.rows !== opened.rows)
        void terminal.resize(this.size.cols, this.size.rows);
      // A learner's restored screen (history, screen, cursor) goes out before "ready":
      // it was drawn for the size the page asked for, and on "ready" the page fits its
      // terminal again. Written after a refit, the cursor moves that end it landed on
      // the wrong lines, and the last output before a reload was overwritten. A
      // watcher's terminal is never refitted (it takes the learner's size, sent after
      // "ready" and before the screen), so its screen follows as it always has.
      const restored = this.watch ? null : (terminal.stream.read() as Buffer | null);
      this.flow = new FlowControl(terminal.stream, (chunk) =>
        this.ws.send(chunk, { binary: true }),
      );
      if (restored) this.flow.sendNow(restored);
      const onEnd = () => this.onShellExit();
      const onOutput = () => this.session.emit('output');
      terminal.stream.on('end', onEnd);
      terminal.stream.on('error', onEnd);
      terminal.stream.on('data', onOutput);
      this.disposers.push(() => {
        terminal.stream.off('end', onEnd);
        terminal.stream.off('error', onEnd);
        terminal.stream.off('data', onOutput);
        this.flow?.dispose();
        terminal.detach();
      });
      this.sendJson({ type: 'ready' });
      if (this.watch) {
        // The watcher draws the learner's screen at the learner's size.
        const sendSize = (size: { cols: number; rows: number }) =>
          this.sendJson({ type: 'pane-size', ...size });
        const now = terminal.paneSize();
        if (now) sendSize(now);
        this.disposers.push(terminal.onPaneSize(sendSize));
      } else {
        if (this.session.watchers.size > 0) this.sendWatchers();
        this.sendBroadcast();
        this.sendVerdicts([...this.session.verdicts.values()], this.session.lastCheckEndedAt);
      }
      if (this.session.takeover) this.onTakeover();
    } catch (error) {
      if (this.closed || !this.session.live || (await this.sandboxDying())) {
        // The sandbox is gone (the engine killed it): the engine's events end the
        // session, and onState tells the client why. No 1011 before that.
        this.log.info(
          { session: this.session.id },
          'the terminal could not attach: the sandbox is not running',
        );
        return;
      }
      this.log.error({ err: error, session: this.session.id }, 'opening the terminal failed');
      this.ws.close(CLOSE_SERVER_FAULT, 'The terminal could not be opened.');
      this.dispose();
    }
  }

  /**
   * Whether the sandbox stopped, or stops within a moment. A sandbox being killed
   * still reads as running for a little while after its processes died (an exec
   * into it starts, then ends at once), so one look could call that a server fault.
   */
  private async sandboxDying(): Promise<boolean> {
    const sandbox = this.session.sandbox;
    if (!sandbox) return true;
    for (let look = 0; look < DEATH_LOOKS; look++) {
      if (look > 0) await new Promise((resolve) => setTimeout(resolve, DEATH_LOOK_MS));
      if (this.closed || !this.session.live) return true;
      const state = await sandbox.inspect().catch(() => undefined);
      if (state?.running === false) return true;
    }
    return false;
  }

  /**
   * tmux ended (killed, or it crashed): give the learner a fresh shell. A shell that
   * exits is restarted in its pane, in the sandbox (learner-shell), without this.
   */
  private onShellExit(): void {
    if (this.closed || !this.session.live) return;
    this.flow?.flush();
    this.flow?.dispose();
    this.flow = undefined;
    this.terminal = undefined;
    this.ws.send(Buffer.from('\r\n\x1b[2m[the shell exited; starting a new one]\x1b[0m\r\n'), {
      binary: true,
    });
    void this.attach(true);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      // Read-only: a watcher's keys go nowhere, unless the learner lets them type.
      if (this.watch && !this.typing) return;
      this.session.touch();
      this.terminal?.stream.write(data);
      this.session.emit('typed', data);
      return;
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok)
      return this.log.debug(
        { session: this.session.id, why: parsed.why },
        'ignored a malformed terminal control message',
      );
    const message = parsed.value;
    if (message.type === 'ack') this.flow?.ack(message.bytes);
    else if (this.watch) this.onWatcherMessage(message, this.watch.watcher);
    else this.onLearnerMessage(message);
  }

  /** A watcher asks to type or gives control back; the rest is the learner's to send. */
  private onWatcherMessage(message: ClientMessage, watcher: Watcher): void {
    if (message.type === 'takeover-request') void this.takeovers.ask(this.session, watcher);
    else if (message.type === 'takeover-release')
      void this.takeovers.release(this.session, watcher.id);
  }

  /** The learner resizes, answers a request to type, or takes control back. */
  private onLearnerMessage(message: ClientMessage): void {
    switch (message.type) {
      case 'resize':
        this.size = { cols: message.cols, rows: message.rows };
        void this.terminal?.resize(message.cols, message.rows);
        break;
      case 'takeover-answer':
        void this.takeovers.answer(this.session, message.accept);
        break;
      case 'takeover-stop':
        void this.takeovers.stop(this.session);
        break;
    }
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
  }
}

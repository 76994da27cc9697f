/**
 * The learner's terminal as a tmux control-mode client (`tmux -C`), over a
 * docker exec without a TTY. A normal tmux client is sent only the screen's
 * final state when output outpaces a redraw, so most of a fast stream never
 * reached the browser. A control client is sent every byte the shell writes
 * (`%output %PANE <octal-escaped bytes>`): we decode them and pass them on
 * unchanged, and xterm.js renders and keeps them. tmux still holds the shell,
 * so it survives a dropped connection and a server restart.
 *
 * On attach (and after tmux paused a client that fell behind) the terminal is
 * first sent the pane's history, screen, cursor and modes (tmux-restore.ts),
 * captured by commands that tmux runs between two reads of the pane: output
 * notified before the captures' replies is in them, output after is live.
 *
 * Back-pressure: when the reader of `stream` stops, we stop reading the exec;
 * tmux stops reading the pane once this client's buffer is full (if no other
 * client can take more), so the program blocks, as in any terminal. A client
 * left behind by another that goes on is paused by tmux after PAUSE_AFTER_S
 * seconds (bounded memory in tmux) and restored from a capture on resume.
 */
import { Duplex } from 'node:stream';
import { PANE_FORMAT, parsePaneState, restoreSequence } from './tmux-restore.ts';

/** Lines of history sent on attach, before the screen. */
export const RESTORE_HISTORY_LINES = 5000;
/** tmux pauses this client's pane once its oldest unsent output is this old. */
const PAUSE_AFTER_S = 10;
/**
 * Lines as written, escape sequences included: -N keeps the spaces a program
 * wrote at a line's end (a prompt's), -T (tmux >= 3.4) leaves out cells never written.
 */
const CAPTURE = 'capture-pane -p -e -N -T';
/** Input bytes per send-keys command. */
const KEYS_PER_COMMAND = 512;

interface Reply {
  ok: boolean;
  lines: Buffer[];
}

/** Decodes the value of a %output notification (bytes below 0x20 and `\` are `\ooo`). */
export function decodeOutput(data: Buffer): Buffer {
  if (!data.includes(0x5c)) return data;
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x5c && i + 3 < data.length) {
      out[n++] = ((data[i + 1]! - 48) << 6) | ((data[i + 2]! - 48) << 3) | (data[i + 3]! - 48);
      i += 3;
    } else out[n++] = data[i]!;
  }
  return out.subarray(0, n);
}

/** `send-keys -H` lines that type `bytes` into the pane exactly. */
export function sendKeysCommands(bytes: Buffer): string[] {
  const commands: string[] = [];
  for (let i = 0; i < bytes.length; i += KEYS_PER_COMMAND) {
    const hex = [...bytes.subarray(i, i + KEYS_PER_COMMAND)].map((b) => b.toString(16));
    commands.push(`send-keys -H ${hex.join(' ')}`);
  }
  return commands;
}

export interface PaneSize {
  cols: number;
  rows: number;
}

/** The window's size in a %layout-change notification's arguments (one pane: the pane's). */
export function parseLayoutSize(args: string): PaneSize | undefined {
  const match = /^@\d+ [0-9a-f]{4},(\d+)x(\d+),/.exec(args);
  return match ? { cols: Number(match[1]), rows: Number(match[2]) } : undefined;
}

export class TmuxControl {
  /** Pane bytes out (after the restore sequence), keystrokes in; ends when the client exits. */
  readonly stream: Duplex;
  /** Resolves once the restore sequence was pushed; rejects if the client exits first. */
  readonly attached: Promise<void>;
  private readonly exec: Duplex;
  private readonly pending: ((reply: Reply) => void)[] = [];
  /** The %begin … %end block being read; `ours` unless tmux wrote it on its own (attach). */
  private block: { guard: string; ours: boolean; reply: Reply } | undefined;
  private frame: Buffer = Buffer.alloc(0);
  private line: Buffer[] = [];
  /** Live output is dropped until the restore's captures have answered (it is in them). */
  private restoring = true;
  private ended = false;
  private settle: { resolve(): void; reject(error: Error): void } | undefined;
  /** stderr of the exec (tmux's own complaints), for the error message. */
  private stderr = '';
  private readonly readOnly: boolean;
  /** Whether written bytes are typed into the pane: always, unless read-only and not allowed. */
  private keys: boolean;
  /** The pane's size as tmux last said (at attach, then at each layout change). */
  private size: PaneSize | undefined;
  private readonly sizeListeners = new Set<(size: PaneSize) => void>();

  /**
   * `exec`: the hijacked stream of a non-TTY docker exec running `tmux -C …` (multiplexed).
   * `reset`: the browser is to forget what it shows and take the pane's history
   * again; without it (the previous shell exited) only the new screen is drawn below.
   * `readOnly`: a watcher's view (an instructor's). It sends no keys and never sizes
   * the window, so the learner's screen stays as they made it; tmux is told too
   * (read-only, ignore-size), though only this class keeps keys out: tmux 3.3
   * still runs a read-only control client's send-keys. allowKeys lets them in.
   */
  constructor(exec: Duplex, size: PaneSize, reset = true, readOnly = false) {
    this.exec = exec;
    this.readOnly = readOnly;
    this.keys = !readOnly;
    this.stream = new Duplex({
      readableHighWaterMark: 64 * 1024,
      read: () => this.exec.resume(),
      write: (chunk: Buffer, _encoding, done) => {
        if (this.keys) for (const command of sendKeysCommands(chunk)) this.command(command);
        done();
      },
      final: (done) => {
        this.detach();
        done();
      },
    });
    this.attached = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    exec.on('data', (chunk: Buffer) => this.onFrames(chunk));
    exec.on('end', () => this.onEnd());
    exec.on('close', () => this.onEnd());
    exec.on('error', () => this.onEnd());
    if (readOnly) this.command('refresh-client -f read-only,ignore-size');
    else this.command(`refresh-client -C ${size.cols}x${size.rows}`);
    this.command(`refresh-client -f pause-after=${PAUSE_AFTER_S}`);
    this.restore(reset);
  }

  /**
   * A read-only client's keys reach the pane while allowed (a take-over the
   * learner accepted). tmux's flag follows, so tmux's own view agrees; the
   * window's size stays the learner's either way.
   */
  allowKeys(allowed: boolean): void {
    if (!this.readOnly || this.keys === allowed) return;
    this.keys = allowed;
    this.command(`refresh-client -f ${allowed ? '!' : ''}read-only`);
  }

  resize(cols: number, rows: number): void {
    if (!this.readOnly) this.command(`refresh-client -C ${cols}x${rows}`);
  }

  /** The pane's size now (known once attached), and each time another client changes it. */
  get paneSize(): PaneSize | undefined {
    return this.size;
  }

  onPaneSize(listener: (size: PaneSize) => void): () => void {
    this.sizeListeners.add(listener);
    return () => this.sizeListeners.delete(listener);
  }

  private setPaneSize(size: PaneSize): void {
    if (this.size?.cols === size.cols && this.size.rows === size.rows) return;
    this.size = size;
    for (const listener of this.sizeListeners) listener(size);
  }

  /** Leaves the shell running; the exec ends (and is dropped if it does not within 2 s). */
  detach(): void {
    if (this.exec.destroyed) return;
    const timer = setTimeout(() => this.exec.destroy(), 2000);
    timer.unref();
    this.exec.once('close', () => clearTimeout(timer));
    this.exec.resume();
    this.exec.end('detach-client\n');
  }

  private command(line: string, onReply: (reply: Reply) => void = () => {}): void {
    if (this.ended || this.exec.writableEnded) return;
    this.pending.push(onReply);
    this.exec.write(`${line}\n`);
  }

  /**
   * Asks for the pane's state and captures; the three commands run in one go,
   * between two reads of the pane. Their replies are handled as they are parsed
   * (not a tick later), so the %output line after the last one is already live.
   */
  private restore(reset: boolean): void {
    this.restoring = true;
    const replies: Reply[] = [];
    const collect = (reply: Reply) => {
      replies.push(reply);
      if (replies.length === 3) this.restored(replies, reset);
    };
    this.pending.push(collect, collect, collect);
    this.exec.write(
      `display -p '${PANE_FORMAT}' ; ${CAPTURE} -S -${RESTORE_HISTORY_LINES} ; ${CAPTURE} -q -a\n`,
    );
  }

  private restored([display, captured, normal]: Reply[], reset: boolean): void {
    if (this.ended) return;
    const state = display!.ok ? parsePaneState(display!.lines[0]?.toString() ?? '') : undefined;
    if (!state || !captured!.ok) {
      this.settle?.reject(new Error(`tmux did not describe the pane: ${display!.lines.join()}`));
      this.exec.destroy();
      return;
    }
    this.restoring = false;
    this.setPaneSize({ cols: state.width, rows: state.height });
    this.push(restoreSequence(state, captured!.lines, normal!.ok ? normal!.lines : [], reset));
    this.settle?.resolve();
  }

  private push(bytes: Buffer): void {
    if (!this.stream.push(bytes)) this.exec.pause();
  }

  /** Docker's multiplexed frames: 8-byte header (stream, 0, 0, 0, length BE32), then the payload. */
  private onFrames(chunk: Buffer): void {
    this.frame = this.frame.length ? Buffer.concat([this.frame, chunk]) : chunk;
    while (this.frame.length >= 8) {
      const size = this.frame.readUInt32BE(4);
      if (this.frame.length < 8 + size) break;
      const payload = this.frame.subarray(8, 8 + size);
      if (this.frame[0] === 2) this.stderr = (this.stderr + payload.toString()).slice(-500);
      else this.onStdout(payload);
      this.frame = this.frame.subarray(8 + size);
    }
  }

  private onStdout(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
      this.line.push(data.subarray(start, nl));
      const line = this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line);
      this.line = [];
      this.onLine(line);
      start = nl + 1;
    }
    if (start < data.length) this.line.push(data.subarray(start));
  }

  private onLine(line: Buffer): void {
    if (this.block) {
      const text = line.subarray(0, 64).toString('latin1');
      if (text === `%end ${this.block.guard}` || text === `%error ${this.block.guard}`) {
        const { reply, ours } = this.block;
        reply.ok = text.startsWith('%end');
        this.block = undefined;
        if (ours) this.pending.shift()?.(reply);
      } else this.block.reply.lines.push(line);
      return;
    }
    if (line[0] !== 0x25) return; // every notification starts with %
    const space = line.indexOf(0x20);
    const name = line.subarray(1, space < 0 ? line.length : space).toString('latin1');
    if (name === 'output' || name === 'extended-output') {
      if (this.restoring) return;
      // %output %PANE DATA, or %extended-output %PANE AGE ... : DATA
      const at = name === 'output' ? line.indexOf(0x20, space + 1) : line.indexOf(' : ');
      this.push(decodeOutput(line.subarray(at + (name === 'output' ? 1 : 3))));
    } else if (name === 'begin') {
      const guard = line.subarray(space + 1).toString('latin1');
      // Flags 1: the reply to one of our commands (0: tmux's own, on attach).
      this.block = { guard, ours: guard.endsWith(' 1'), reply: { ok: false, lines: [] } };
    } else if (name === 'layout-change') {
      // %layout-change @WINDOW LAYOUT VISIBLE-LAYOUT FLAGS; a layout starts "csum,WxH,".
      const size = parseLayoutSize(line.subarray(space + 1).toString('latin1'));
      if (size) this.setPaneSize(size);
    } else if (name === 'pause') {
      // We fell behind another client: take up the pane again from a fresh capture.
      const pane = line.subarray(space + 1).toString('latin1');
      this.command(`refresh-client -A '${pane}:continue'`);
      this.restore(true);
    }
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    for (const reply of this.pending.splice(0)) reply({ ok: false, lines: [] });
    this.settle?.reject(
      new Error(`the tmux client ended before it attached${this.stderr ? `: ${this.stderr}` : ''}`),
    );
    this.stream.push(null);
  }
}

import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import {
  decodeOutput,
  RESTORE_HISTORY_LINES,
  sendKeysCommands,
  TmuxControl,
} from '../../lab-server/sandbox/tmux-control.ts';
import { parsePaneState, restoreSequence } from '../../lab-server/sandbox/tmux-restore.ts';

/** A docker exec running `tmux -C`, played by the test: it records commands and says what tmux would. */
class FakeTmux extends Duplex {
  readonly commands: string[] = [];
  private guard = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.commands.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }

  override _read(): void {}

  /** Lines on the exec's stdout, in Docker's multiplexed framing. */
  say(...lines: string[]): void {
    const payload = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(payload.length, 4);
    this.push(Buffer.concat([header, payload]));
  }

  /** The reply block to one of the client's commands. */
  reply(...lines: string[]): void {
    const guard = `1796202628 ${++this.guard} 1`;
    this.say(`%begin ${guard}`, ...lines, `%end ${guard}`);
  }
}

// pane_id width height alternate_on saved_x saved_y cursor_x cursor_y cursor_flag
// keypad_cursor_flag keypad_flag insert_flag wrap_flag scroll_upper scroll_lower mouse…
const NORMAL_PANE = '%0 20 3 0 0 0 2 1 1 0 0 0 1 0 2 0 0 0 0';
const tick = () => new Promise((r) => setImmediate(r));

function attach(tmux: FakeTmux, reset = true) {
  const control = new TmuxControl(tmux, { cols: 20, rows: 3 }, reset);
  const received: Buffer[] = [];
  control.stream.on('data', (chunk: Buffer) => received.push(chunk));
  return { control, text: () => Buffer.concat(received).toString() };
}

describe('the terminal as a tmux control-mode client', () => {
  it('starts with the captured history and screen, then passes on exactly the output after the captures', async () => {
    const tmux = new FakeTmux();
    const { control, text } = attach(tmux);
    tmux.say('%begin 1796202628 1 0', '%end 1796202628 1 0'); // tmux's own, on attach
    tmux.reply(); // refresh-client -C
    tmux.reply(); // refresh-client -f
    tmux.say('%output %0 before\\015\\012'); // read before the captures ran: it is in them
    tmux.reply(NORMAL_PANE);
    tmux.reply('old', 'before', '$ ', '');
    tmux.reply();
    tmux.say('%output %0 after\\033[1m\\134 é', '%window-renamed @0 bash');
    await control.attached;
    await tick();
    assert.equal(
      text(),
      '\x1bcold\r\nbefore\r\n$ \r\n\x1b[0m\r\x1b[1A\x1b[2C' + 'after\x1b[1m\\ é',
    );
    assert.deepEqual(tmux.commands.slice(0, 2), [
      'refresh-client -C 20x3',
      'refresh-client -f pause-after=10',
    ]);
    assert.ok(tmux.commands[2]!.startsWith(`display -p '#{pane_id} #{pane_width}`));
    assert.match(
      tmux.commands[2]!,
      new RegExp(
        `capture-pane -p -e -N -T -S -${RESTORE_HISTORY_LINES} ; capture-pane -p -e -N -T -q -a$`,
      ),
    );

    control.stream.write(Buffer.from('é\r'));
    control.resize(100, 30);
    assert.deepEqual(tmux.commands.slice(3), ['send-keys -H c3 a9 d', 'refresh-client -C 100x30']);
  });

  it('after the shell exited, draws the new screen’s used rows below what is shown instead of resetting it', async () => {
    const tmux = new FakeTmux();
    const { control, text } = attach(tmux, false);
    tmux.reply();
    tmux.reply();
    tmux.reply(NORMAL_PANE);
    tmux.reply('history', '$ ', '', '');
    tmux.reply();
    await control.attached;
    await tick();
    assert.equal(text(), '\r\n$ \r\n\x1b[0m\r\x1b[2C');
  });

  it('stops reading tmux while nobody reads the terminal, and goes on when they do', async () => {
    const tmux = new FakeTmux();
    const control = new TmuxControl(tmux, { cols: 20, rows: 3 });
    for (let i = 0; i < 2; i++) tmux.reply();
    tmux.reply(NORMAL_PANE);
    tmux.reply('', '', '');
    tmux.reply();
    await control.attached;
    const line = `%output %0 ${'y\\012'.repeat(4096)}`;
    for (let i = 0; i < 40; i++) tmux.say(line);
    await tick();
    assert.ok(tmux.isPaused(), 'the exec is paused');
    control.stream.resume();
    await tick();
    assert.ok(!tmux.isPaused(), 'the exec is read again');
  });

  it('takes up the pane from a fresh capture after tmux paused it', async () => {
    const tmux = new FakeTmux();
    const { control, text } = attach(tmux);
    for (let i = 0; i < 2; i++) tmux.reply();
    tmux.reply(NORMAL_PANE);
    tmux.reply('', '', '');
    tmux.reply();
    await control.attached;
    tmux.say('%pause %0', '%output %0 lost');
    await tick();
    assert.deepEqual(tmux.commands.slice(3, 4), ["refresh-client -A '%0:continue'"]);
    tmux.reply();
    tmux.reply(NORMAL_PANE);
    tmux.reply('a', 'b', 'c');
    tmux.reply();
    tmux.say('%output %0 next');
    await tick();
    assert.ok(
      text().endsWith('\x1bca\r\nb\r\nc\x1b[0m\r\x1b[1A\x1b[2Cnext'),
      JSON.stringify(text()),
    );
    assert.doesNotMatch(text(), /lost/);
  });

  it('ends the terminal when the shell exits, and fails the attach if tmux ends first', async () => {
    const tmux = new FakeTmux();
    const control = new TmuxControl(tmux, { cols: 20, rows: 3 });
    control.stream.resume();
    const ended = new Promise((resolve) => control.stream.once('end', resolve));
    tmux.say('%exit');
    tmux.push(null);
    await assert.rejects(control.attached, /ended before it attached/);
    await ended;
  });
});

describe('restoring a pane', () => {
  it('decodes %output and encodes keys byte for byte', () => {
    assert.equal(
      decodeOutput(Buffer.from('a\\015\\012\\134\\033[0m')).toString(),
      'a\r\n\\\x1b[0m',
    );
    assert.deepEqual(sendKeysCommands(Buffer.from([0x03])), ['send-keys -H 3']);
    assert.equal(sendKeysCommands(Buffer.alloc(1000, 0x61)).length, 2);
  });

  it('restores a program’s alternate screen over the normal one, with its cursor and key modes', () => {
    // less: alternate screen, application cursor keys and keypad.
    const state = parsePaneState('%3 20 2 1 4 1 0 1 1 1 1 0 1 0 1 0 0 0 0');
    assert.ok(state);
    const lines = ['h1', 'a1', 'a2'].map((l) => Buffer.from(l));
    const normal = ['n1', 'n2'].map((l) => Buffer.from(l));
    assert.equal(
      restoreSequence(state, lines, normal).toString(),
      '\x1bch1\r\nn1\r\nn2\x1b[0m\r\x1b[4C\x1b[?1049h\x1b[Ha1\r\na2\x1b[0m\x1b[2;1H\x1b[?1h\x1b=',
    );
    assert.equal(parsePaneState('%3 20 2 1'), undefined);
  });
});

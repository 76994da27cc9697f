/**
 * What a terminal that attaches to the learner's shell is sent first: the
 * pane's recent history and screen as tmux holds them (capture-pane with
 * escape sequences), the alternate screen if a program such as `less` or
 * `top` shows one, then the cursor and the modes that change what keys send
 * or what the screen shows. Pure, so that it can be tested without tmux.
 */

/** What `display -p PANE_FORMAT` says about the pane, in this order. */
export const PANE_FORMAT = [
  'pane_id',
  'pane_width',
  'pane_height',
  'alternate_on',
  'alternate_saved_x',
  'alternate_saved_y',
  'cursor_x',
  'cursor_y',
  'cursor_flag',
  'keypad_cursor_flag',
  'keypad_flag',
  'insert_flag',
  'wrap_flag',
  'scroll_region_upper',
  'scroll_region_lower',
  'mouse_standard_flag',
  'mouse_button_flag',
  'mouse_any_flag',
  'mouse_sgr_flag',
]
  .map((name) => `#{${name}}`)
  .join(' ');

export type PaneState = Record<
  | 'width'
  | 'height'
  | 'alternateOn'
  | 'alternateSavedX'
  | 'alternateSavedY'
  | 'cursorX'
  | 'cursorY'
  | 'cursorVisible'
  | 'applicationCursorKeys'
  | 'applicationKeypad'
  | 'insert'
  | 'wrap'
  | 'scrollUpper'
  | 'scrollLower'
  | 'mouseStandard'
  | 'mouseButton'
  | 'mouseAny'
  | 'mouseSgr',
  number
> & { paneId: string };

export function parsePaneState(line: string): PaneState | undefined {
  const [paneId, ...rest] = line.trim().split(' ');
  const n = rest.map(Number);
  if (!paneId?.startsWith('%') || n.length !== 18 || n.some((v) => !Number.isInteger(v)))
    return undefined;
  const [width, height, alternateOn, alternateSavedX, alternateSavedY, cursorX, cursorY] = n;
  const [cursorVisible, applicationCursorKeys, applicationKeypad, insert, wrap] = n.slice(7);
  const [scrollUpper, scrollLower, mouseStandard, mouseButton, mouseAny, mouseSgr] = n.slice(12);
  return {
    paneId,
    width: width!,
    height: height!,
    alternateOn: alternateOn!,
    alternateSavedX: alternateSavedX!,
    alternateSavedY: alternateSavedY!,
    cursorX: cursorX!,
    cursorY: cursorY!,
    cursorVisible: cursorVisible!,
    applicationCursorKeys: applicationCursorKeys!,
    applicationKeypad: applicationKeypad!,
    insert: insert!,
    wrap: wrap!,
    scrollUpper: scrollUpper!,
    scrollLower: scrollLower!,
    mouseStandard: mouseStandard!,
    mouseButton: mouseButton!,
    mouseAny: mouseAny!,
    mouseSgr: mouseSgr!,
  };
}

const CRLF = Buffer.from('\r\n');
const joinLines = (lines: Buffer[]) =>
  Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [CRLF, line])));

/**
 * From the end of the screen's last line to (x, y) of a screen `height` rows
 * high, by relative moves: right even if the terminal has more rows than the
 * pane (the screen then sits at its bottom, or at its top if little was written).
 */
const moveBack = (height: number, x: number, y: number) =>
  `\r${y < height - 1 ? `\x1b[${height - 1 - y}A` : ''}${x > 0 ? `\x1b[${x}C` : ''}`;

/**
 * The bytes that put a fresh (or reset) xterm where the pane is.
 * `lines`: capture-pane of history and screen (the alternate screen when it is
 * on); `normal`: capture-pane -a, the normal screen a program's alternate
 * screen hides (empty otherwise). `reset`: the terminal forgets what it shows
 * first (RIS; a reconnecting browser gets the history again); without it
 * (a new shell after `exit`) the screen is drawn below what is there, and the
 * old shell's output stays in the scrollback.
 */
export function restoreSequence(
  state: PaneState,
  lines: Buffer[],
  normal: Buffer[],
  reset = true,
): Buffer {
  const parts: (string | Buffer)[] = [reset ? '\x1bc' : '\r\n'];
  let screen = lines.slice(-state.height);
  const history = reset ? lines.slice(0, lines.length - screen.length) : [];
  if (!reset) {
    // Below the old output, the new screen's blank rows would only push it away.
    const used = screen.findLastIndex((line) => line.length > 0);
    screen = screen.slice(0, Math.max(used, state.cursorY) + 1);
  }
  if (state.alternateOn) {
    // The normal screen under it, then the alternate one, which starts at the top.
    parts.push(joinLines([...history, ...normal]), '\x1b[0m');
    parts.push(moveBack(normal.length, state.alternateSavedX, state.alternateSavedY));
    parts.push('\x1b[?1049h\x1b[H', joinLines(screen), '\x1b[0m');
    parts.push(`\x1b[${state.cursorY + 1};${state.cursorX + 1}H`);
  } else {
    parts.push(joinLines([...history, ...screen]), '\x1b[0m');
    parts.push(moveBack(screen.length, state.cursorX, state.cursorY));
  }
  if (state.scrollUpper !== 0 || state.scrollLower !== state.height - 1)
    // DECSTBM homes the cursor: save it around.
    parts.push(`\x1b7\x1b[${state.scrollUpper + 1};${state.scrollLower + 1}r\x1b8`);
  const modes: [number, string][] = [
    [state.applicationCursorKeys, '\x1b[?1h'],
    [state.applicationKeypad, '\x1b='],
    [state.insert, '\x1b[4h'],
    [state.wrap ? 0 : 1, '\x1b[?7l'],
    [state.cursorVisible ? 0 : 1, '\x1b[?25l'],
    [state.mouseStandard, '\x1b[?1000h'],
    [state.mouseButton, '\x1b[?1002h'],
    [state.mouseAny, '\x1b[?1003h'],
    [state.mouseSgr, '\x1b[?1006h'],
  ];
  for (const [on, sequence] of modes) if (on) parts.push(sequence);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/**
 * "Commands to click": a fenced code block in a lab's Markdown whose info string
 * says `run` (```` ```sh run ````) gets a Run button on the lab page that types
 * it into the learner's terminal; `run interrupt` presses Ctrl-C first (to stop
 * a `logs -f` or a server still in the foreground). Plain Markdown viewers read
 * the first word as the language and ignore the rest, so the block still shows
 * as shell code on GitHub or in an editor.
 *
 * Shared by the lab loader (which refuses a malformed marker, with the file and
 * the field) and the site's Expressive Code plugin (which puts the marker on the
 * rendered block), so both read an info string the same way. Pure: no Node APIs.
 */

/** Languages whose blocks may be sent to the shell. `console` is not one: its `$ ` prompts are not commands. */
export const RUNNABLE_LANGUAGES = ['sh', 'bash', 'shell'] as const;

export type RunMarker = 'run' | 'interrupt';

/** The words after the language that are ours; anything else bare is a typo of them. */
const OUR_WORDS = new Set(['run', 'interrupt']);

/**
 * Expressive Code's own options (`title="app.sh"`, `{2-3}`, `ins=/x/`, `"text"`,
 * `/regex/`, `key=value`): left to it, not mistaken for a misspelt marker.
 */
const THEIR_OPTION =
  /^(?:[\w-]+=(?:"[^"]*"|'[^']*'|\/[^/]*\/|\{[^}]*\}|\S+)|\{[^}]*\}|"[^"]*"|'[^']*'|\/[^/]*\/)$/;

/** Splits the meta part of an info string into words, keeping quoted and braced parts whole. */
function metaWords(meta: string): string[] {
  return meta.match(/(?:[\w-]+=)?(?:"[^"]*"|'[^']*'|\{[^}]*\}|\/[^/\s]*\/|\S+)/g) ?? [];
}

/**
 * The marker of one code block, from its language and the rest of its info string.
 * Returns `undefined` for a block that does not run, a marker, or a sentence that
 * says what is wrong (for the loader to report with the file and the field).
 */
export function parseRunMarker(
  language: string,
  meta: string,
): { marker: RunMarker | undefined } | { error: string } {
  const words = metaWords(meta.trim());
  const ours = words.filter((word) => !THEIR_OPTION.test(word));
  const unknown = ours.filter((word) => !OUR_WORDS.has(word));
  if (OUR_WORDS.has(language.toLowerCase()) || /^run/i.test(language))
    return {
      error: `"${language}" is where the language goes; write the language first, e.g. \`\`\`sh run`,
    };
  if (unknown.length > 0)
    return {
      error: `unknown word${unknown.length > 1 ? 's' : ''} ${unknown.map((w) => `"${w}"`).join(', ')} after the language "${language}"; a runnable block says \`\`\`sh run or \`\`\`sh run interrupt`,
    };
  if (new Set(ours).size !== ours.length)
    return { error: `"${ours.join(' ')}" says the same thing twice` };
  const run = ours.includes('run');
  const interrupt = ours.includes('interrupt');
  if (interrupt && !run) return { error: '"interrupt" only goes with "run": ```sh run interrupt' };
  if (!run) return { marker: undefined };
  if (!(RUNNABLE_LANGUAGES as readonly string[]).includes(language.toLowerCase()))
    return {
      error: `a "${language || 'plain'}" block cannot run; only ${RUNNABLE_LANGUAGES.join(', ')} blocks are sent to the shell`,
    };
  return { marker: interrupt ? 'interrupt' : 'run' };
}

export interface FencedBlock {
  /** 1-based line of the opening fence within the Markdown text. */
  line: number;
  language: string;
  meta: string;
  code: string;
}

const OPENING = /^([ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?)(`{3,}|~{3,})[ \t]*([^\s`]*)[ \t]*([^`]*)$/;

/**
 * The fenced code blocks of a Markdown text, in order, including those in list
 * items and block quotes (indented fences are what lab instructions use most).
 */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]!);
    if (!open) continue;
    const [, , fence, language, meta] = open as unknown as [string, string, string, string, string];
    const closing = new RegExp(
      `^[ \\t>]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`,
    );
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !closing.test(lines[j]!); j++) code.push(lines[j]!);
    const indent = Math.min(
      ...code.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length),
    );
    blocks.push({
      line: i + 1,
      language,
      meta,
      code: code.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n'),
    });
    i = j;
  }
  return blocks;
}

/**
 * Every problem with the run markers of one Markdown field, as sentences. `runAllowed`
 * is false for fields a learner reads rather than acts on (hints, solutions).
 */
export function runMarkerProblems(markdown: string, runAllowed: boolean): string[] {
  const problems: string[] = [];
  fencedBlocks(markdown).forEach((block, index) => {
    const where = `code block ${index + 1} (line ${block.line})`;
    const parsed = parseRunMarker(block.language, block.meta);
    if ('error' in parsed) problems.push(`${where}: ${parsed.error}`);
    else if (parsed.marker && !runAllowed)
      problems.push(
        `${where}: only the intro and task instructions may have blocks that run; hints and solutions are read, not clicked`,
      );
    else if (parsed.marker && block.code.trim() === '')
      problems.push(`${where}: a block that runs needs a command`);
  });
  return problems;
}

/**
 * Killercoda's Markdown annotations as Drydock's: a fenced block followed by
 * `{{exec}}` becomes ```` ```sh run ```` (lab-format/run-marker.ts), `{{exec
 * interrupt}}` becomes ```` ```sh run interrupt ````, `{{copy}}` a plain block
 * (every block has a Copy button here). Inline code with `{{exec}}` alone on its
 * line becomes a runnable block; inside a sentence it stays inline code, with no
 * Run button. Any other `{{…}}` annotation is dropped and reported.
 */

export interface ConvertedMarkdown {
  markdown: string;
  /** The commands of the blocks that run, in order (the generated solve script uses them). */
  commands: { code: string; interrupt: boolean }[];
  /** Sentences for the import report. */
  notes: string[];
}

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const ANNOTATION = /\{\{\s*([a-z]+)(?:\s+([a-z]+))?\s*\}\}/gi;

type Kind = 'exec' | 'interrupt' | 'copy' | undefined;

function kindOf(word: string, modifier: string | undefined): Kind | 'other' {
  const w = word.toLowerCase();
  if (w === 'exec' || w === 'execute')
    return modifier?.toLowerCase() === 'interrupt' ? 'interrupt' : 'exec';
  if (w === 'copy') return 'copy';
  return 'other';
}

const runnable = (language: string) =>
  ['', 'plain', 'sh', 'bash', 'shell', 'console'].includes(language);

function block(indent: string, kind: Kind, language: string, code: string[]): string[] {
  const info =
    kind === 'exec' ? 'sh run' : kind === 'interrupt' ? 'sh run interrupt' : language || 'sh';
  return [`${indent}\`\`\`${info}`, ...code, `${indent}\`\`\``];
}

export function convertMarkdown(source: string, where: string): ConvertedMarkdown {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  const commands: ConvertedMarkdown['commands'] = [];
  const notes: string[] = [];
  const other = new Set<string>();
  let inline = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const [, indent, fence, language] = open as unknown as [string, string, string, string];
      const code: string[] = [];
      let j = i + 1;
      const closing = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}(.*)$`);
      let after = '';
      for (; j < lines.length; j++) {
        const close = closing.exec(lines[j]!);
        if (close) {
          after = close[1]!.trim();
          break;
        }
        code.push(lines[j]!);
      }
      const annotation = /^\{\{\s*([a-z]+)(?:\s+([a-z]+))?\s*\}\}$/i.exec(after);
      let kind: Kind = undefined;
      if (annotation) {
        const k = kindOf(annotation[1]!, annotation[2]);
        if (k === 'other') other.add(annotation[0]);
        else kind = k;
      }
      if ((kind === 'exec' || kind === 'interrupt') && !runnable(language.toLowerCase())) {
        notes.push(
          `${where}: a "${language}" block marked ${after} keeps no Run button (only shell blocks run here)`,
        );
        kind = 'copy';
      }
      const text = code.map((l) => l.slice(Math.min(indent.length, /^[ \t]*/.exec(l)![0].length)));
      if ((kind === 'exec' || kind === 'interrupt') && text.join('').trim() !== '')
        commands.push({ code: text.join('\n'), interrupt: kind === 'interrupt' });
      else if (kind === 'exec' || kind === 'interrupt') kind = 'copy';
      out.push(...block(indent, kind, language === 'plain' ? 'sh' : language, code));
      i = j;
      continue;
    }
    // `cmd`{{exec}} alone on its line (a list item counts): a block that runs.
    const alone =
      /^([ \t]*(?:[-*+]|\d+[.)])?[ \t]*)`([^`]+)`\{\{\s*(exec|execute)(?:\s+(interrupt))?\s*\}\}[ \t]*$/i.exec(
        line,
      );
    if (alone) {
      const [, prefix, code, , modifier] = alone as unknown as [
        string,
        string,
        string,
        string,
        string?,
      ];
      const kind: Kind = modifier ? 'interrupt' : 'exec';
      const indent = ' '.repeat(prefix.length);
      commands.push({ code, interrupt: kind === 'interrupt' });
      // A list item's marker stays in front of the fence: the block is the item.
      const [first, ...rest] = block(indent, kind, 'sh', [`${indent}${code}`]);
      out.push(`${prefix}${first!.trimStart()}`, ...rest);
      continue;
    }
    out.push(
      line
        .replace(
          /`([^`]+)`\{\{\s*([a-z]+)(?:\s+([a-z]+))?\s*\}\}/gi,
          (all, code: string, word: string, modifier?: string) => {
            const k = kindOf(word, modifier);
            if (k === 'exec' || k === 'interrupt') inline++;
            if (k === 'other') other.add(all.slice(all.indexOf('{{')));
            return `\`${code}\``;
          },
        )
        .replace(ANNOTATION, (all) => {
          other.add(all);
          return '';
        }),
    );
  }
  if (inline)
    notes.push(
      `${where}: ${inline} command(s) marked {{exec}} inside a sentence stay inline code, without a Run button`,
    );
  if (other.size)
    notes.push(
      `${where}: annotation(s) Drydock has no equivalent for were dropped: ${[...other].join(', ')}`,
    );
  return { markdown: out.join('\n').trim(), commands, notes };
}

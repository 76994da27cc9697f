/**
 * The files of a sandbox as the learner's editor sees them: list a folder, open a
 * text file, save one. Every operation is a short script run inside the sandbox as
 * the learner's own user, in the namespaces of their shell (`exec` with `as:
 * 'shell'`), never through the engine's archive API onto the host: what the
 * learner could not do in their terminal (write a read-only mount, a file their
 * user does not own, …) the editor cannot do either, and the kernel's reason is
 * what they are told. Paths go to the scripts as arguments, never into their text.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable, Writable } from 'node:stream';
import {
  MAX_FILE_BYTES,
  MAX_FOLDER_ENTRIES,
  type FileText,
  type Folder,
  type FolderEntry,
  type SavedFile,
} from '../../protocol/files.ts';
import type { ExecResult, Sandbox } from '../sandbox/sandbox.ts';
import { FileRefusal, reasonIn, refusal, refusalFor } from './file-refusal.ts';

const TIMEOUT_MS = 15_000;
/** The C locale: the tools' complaints end in strerror's words, which file-refusal.ts reads. */
const ENV = { HOME: '/root', LC_ALL: 'C', LANG: 'C' };

/**
 * Lists at most $2 entries of folder $1, each `<type><type followed>\t<size>\t<name>\0`
 * (find's %y and %Y). A path that is no folder is refused (exit 4) before find
 * runs: find would list nothing without a word. The folder is always absolute
 * (`resolve`), so find cannot take it for an option.
 */
const LIST = `
d=$1
stat -L -- "$d" >/dev/null || exit 3
[ -d "$d" ] || exit 4
find -H "$d" -mindepth 1 -maxdepth 1 -printf '%y%Y\\t%s\\t%f\\0' | head -z -n "$2"
`;

/** Prints file $1 if it is a regular file of at most $2 bytes; otherwise exits 3-6 saying why on stderr. */
const READ = `
p=$1
info=$(stat -L -c '%F|%s' -- "$p") || exit 3
kind=\${info%|*}
size=\${info##*|}
case $kind in
  directory) exit 4 ;;
  'regular file' | 'regular empty file') ;;
  *) echo "$kind" >&2; exit 5 ;;
esac
[ "$size" -le "$2" ] || { echo "$size" >&2; exit 6; }
exec head -c "$(($2 + 1))" -- "$p"
`;

/**
 * Writes standard input to $1 in place (same inode, owner and mode: a file
 * bind-mounted into a container keeps showing the new text, which a rename over
 * it would break), after checking it is still what the editor opened: $2 is its
 * SHA-256, `none` (must not exist) or `any`. Exits 7 (a folder), 8 (not a regular
 * file) or 9 (changed, the current hash or `none` on stderr); the rest is the
 * shell's or cat's complaint. The check and the write are one script, so only a
 * change within its few milliseconds can slip between them.
 */
const WRITE = `
p=$1
[ -d "$p" ] && exit 7
if [ -e "$p" ] && [ ! -f "$p" ]; then exit 8; fi
if [ "$2" != any ]; then
  if [ -e "$p" ]; then
    current=$(sha256sum < "$p") || exit 3
    current=\${current%% *}
  else
    current=none
  fi
  [ "$current" = "$2" ] || { echo "$current" >&2; exit 9; }
fi
exec cat > "$p"
`;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Collects what a command writes to standard output, up to `max` bytes. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  size = 0;
  private readonly max: number;

  constructor(max: number) {
    super();
    this.max = max;
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    const room = this.max - this.size;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const TYPES: Record<string, FolderEntry['type']> = { f: 'file', d: 'folder' };

/** `%y%Y\t%s\t%f` records, NUL-separated, as entries: folders first, then by name. */
function parseListing(bytes: Buffer): FolderEntry[] {
  const entries: FolderEntry[] = [];
  for (const record of bytes.toString('utf8').split('\0')) {
    const match = /^(.)(.)\t(\d+)\t([\s\S]+)$/.exec(record);
    if (!match) continue;
    const [, own, followed, size, name] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const link = own === 'l';
    const type = TYPES[followed] ?? 'other';
    entries.push({
      name,
      type,
      ...(link ? { link } : {}),
      ...(type === 'file' && !link ? { size: Number(size) } : {}),
    });
  }
  return entries.sort(
    (a, b) =>
      Number(b.type === 'folder') - Number(a.type === 'folder') ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function timedOut(result: ExecResult, what: string): void {
  if (result.timedOut) throw new Error(`${what} did not finish within ${TIMEOUT_MS / 1000} s`);
}

export class SandboxFiles {
  private readonly sandbox: Sandbox;
  private readonly workdir: string;

  constructor(sandbox: Sandbox, workdir: string) {
    this.sandbox = sandbox;
    this.workdir = workdir;
  }

  /** The absolute path of `path`, a relative one taken from the lab's working directory. */
  resolve(path: string | undefined): string {
    return posix.resolve(this.workdir, path ?? '.');
  }

  private run(script: string, args: string[], options: { stdin?: Readable; stdout?: Writable }) {
    return this.sandbox.exec(['/bin/sh', '-c', script, 'drydock-files', ...args], {
      as: 'shell',
      env: ENV,
      timeoutMs: TIMEOUT_MS,
      maxOutputBytes: 16 * 1024,
      ...options,
    });
  }

  async list(path?: string): Promise<Folder> {
    const folder = this.resolve(path);
    const out = new Collector(MAX_FOLDER_ENTRIES * 1024);
    const result = await this.run(LIST, [folder, String(MAX_FOLDER_ENTRIES + 1)], { stdout: out });
    timedOut(result, `listing ${folder}`);
    if (result.exitCode === 4)
      throw refusal('refused', 'list', folder, 'it is a file, not a folder.');
    const entries = parseListing(out.bytes());
    if (result.exitCode !== 0 || (entries.length === 0 && result.output.trim()))
      throw refusalFor('list', folder, reasonIn(result.output));
    return {
      path: folder,
      entries: entries.slice(0, MAX_FOLDER_ENTRIES),
      truncated: entries.length > MAX_FOLDER_ENTRIES,
    };
  }

  async read(path: string): Promise<FileText> {
    const file = this.resolve(path);
    const out = new Collector(MAX_FILE_BYTES + 1);
    const result = await this.run(READ, [file, String(MAX_FILE_BYTES)], { stdout: out });
    timedOut(result, `reading ${file}`);
    const said = result.output.trim();
    switch (result.exitCode) {
      case 0:
        break;
      case 4:
        throw refusal('refused', 'open', file, 'it is a folder, not a file.');
      case 5:
        throw refusal(
          'refused',
          'open',
          file,
          `it is not a regular file but a ${said || 'special file'}.`,
        );
      case 6:
        throw tooLarge('open', file, Number(said));
      default:
        throw refusalFor('open', file, reasonIn(said));
    }
    const bytes = out.bytes();
    // It grew between stat and head.
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge('open', file, bytes.length);
    let content: string;
    try {
      // A NUL byte is valid UTF-8 but never in a text file an editor should touch.
      if (bytes.includes(0)) throw new Error('NUL');
      content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw refusal(
        'not-text',
        'open',
        file,
        'it is not text (it holds bytes that are not UTF-8 text). Look at it in the terminal instead, e.g. with `file` or `xxd`.',
      );
    }
    return { path: file, content, hash: sha256(bytes), size: bytes.length };
  }

  /**
   * Saves `content` to `path`. `baseHash`: the hash of the file as it was opened
   * (a change in the sandbox since is refused, kind `changed`), `null` for a new
   * file, `undefined` to overwrite whatever is there.
   */
  async write(path: string, content: string, baseHash?: string | null): Promise<SavedFile> {
    const file = this.resolve(path);
    const bytes = Buffer.from(content, 'utf8');
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge('save', file, bytes.length);
    const base = baseHash === undefined ? 'any' : baseHash === null ? 'none' : baseHash;
    const result = await this.run(WRITE, [file, base], { stdin: Readable.from([bytes]) });
    timedOut(result, `writing ${file}`);
    const said = result.output.trim();
    switch (result.exitCode) {
      case 0:
        return { path: file, hash: sha256(bytes), size: bytes.length };
      case 7:
        throw refusal('refused', 'save', file, 'it is a folder, not a file.');
      case 8:
        throw refusal('refused', 'save', file, 'it is not a regular file.');
      case 9:
        throw refusal(
          'changed',
          'save',
          file,
          said.split('\n').at(-1) === 'none'
            ? 'it was deleted in the sandbox since you opened it.'
            : 'it was changed in the sandbox since you opened it.',
        );
      default:
        throw refusalFor('save', file, reasonIn(said));
    }
  }
}

function tooLarge(action: 'open' | 'save', file: string, size: number): FileRefusal {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return refusal(
    'too-large',
    action,
    file,
    `it is ${Number.isFinite(size) ? mib(size) : 'too large'}; the editor ${action}s files of up to ${mib(MAX_FILE_BYTES)}. Use the terminal for this one (less, vim).`,
  );
}

/**
 * Why the sandbox would not list, open or save a file, in words a learner can act
 * on. The sandbox's own tools report the kernel's reason (`sh: 1: cannot create
 * /usr/x: Read-only file system`); this reads the reason and says what it means
 * for the file at hand. Free of HTTP: routes/files.ts gives each kind its answer.
 */
export type RefusalKind = 'not-found' | 'refused' | 'too-large' | 'not-text' | 'changed';

export type FileAction = 'list' | 'open' | 'save';

export class FileRefusal extends Error {
  readonly kind: RefusalKind;

  constructor(kind: RefusalKind, message: string) {
    super(message);
    this.name = 'FileRefusal';
    this.kind = kind;
  }
}

const VERB: Record<FileAction, string> = { list: 'list', open: 'open', save: 'save' };

/** "Cannot save /usr/x: it is read-only …" */
export function refusal(
  kind: RefusalKind,
  action: FileAction,
  path: string,
  why: string,
): FileRefusal {
  return new FileRefusal(kind, `Cannot ${VERB[action]} ${path}: ${why}`);
}

/**
 * The kernel's reason in a tool's complaint: what follows its last ": " (GNU tools
 * and dash both end with strerror's text, in the C locale the scripts run in).
 */
export function reasonIn(stderr: string): string {
  const line =
    stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .at(-1) ?? '';
  const at = line.lastIndexOf(': ');
  return (at >= 0 ? line.slice(at + 2) : line).trim();
}

/** A refusal for the kernel's reason (`Permission denied`, `Read-only file system`, …). */
export function refusalFor(action: FileAction, path: string, reason: string): FileRefusal {
  const r = reason.toLowerCase();
  // dash says "Directory nonexistent" where others say ENOENT's words.
  if (r.includes('no such file or directory') || r.includes('directory nonexistent'))
    return refusal(
      'not-found',
      action,
      path,
      action === 'save'
        ? 'its folder does not exist.'
        : `there is no such ${action === 'list' ? 'folder' : 'file'}.`,
    );
  if (r.includes('not a directory'))
    return refusal('not-found', action, path, 'a part of that path is a file, not a folder.');
  if (r.includes('read-only file system'))
    return refusal(
      'refused',
      action,
      path,
      'it is read-only: the file system it is on is mounted read-only. Copy it to a writable place (your working directory, /tmp) to change it.',
    );
  if (r.includes('permission denied') || r.includes('operation not permitted'))
    return refusal(
      'refused',
      action,
      path,
      action === 'save'
        ? `it is read-only for you: permission denied (${reason}).`
        : `you may not read it: permission denied (${reason}).`,
    );
  if (r.includes('is a directory'))
    return refusal('refused', action, path, 'it is a folder, not a file.');
  if (r.includes('no space left') || r.includes('quota exceeded'))
    return refusal('refused', action, path, `the sandbox has no room left for it (${reason}).`);
  return refusal('refused', action, path, `the sandbox said: ${reason || 'it failed'}.`);
}

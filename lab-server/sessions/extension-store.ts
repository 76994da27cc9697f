/**
 * Extended time limits, kept in a small JSON file in the state dir so that a
 * restarted server honours them. A sandbox's labels cannot change after it is
 * created, and a file inside the sandbox would be the learner's to edit; the
 * labels keep the original limit and this file the extension, per owner.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Extension {
  expiresAt: string;
  extensions: number;
}

export class ExtensionStore {
  private readonly dir: string;
  private readonly file: string;
  private entries: Record<string, Extension>;

  constructor(stateDir: string, owner: string) {
    this.dir = join(stateDir, 'sessions');
    this.file = join(this.dir, `${owner}.json`);
    this.entries = this.read();
  }

  private read(): Record<string, Extension> {
    try {
      const value = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      return typeof value === 'object' && value !== null
        ? (value as Record<string, Extension>)
        : {};
    } catch {
      return {};
    }
  }

  private write(): void {
    // No file while no session is extended: owners (test runs) come and go.
    if (Object.keys(this.entries).length === 0) return rmSync(this.file, { force: true });
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.entries, null, 1));
    renameSync(tmp, this.file);
  }

  get(sessionId: string): Extension | undefined {
    const entry = this.entries[sessionId];
    return entry && typeof entry.expiresAt === 'string' && Number.isInteger(entry.extensions)
      ? entry
      : undefined;
  }

  set(sessionId: string, extension: Extension): void {
    this.entries[sessionId] = extension;
    this.write();
  }

  /** Forgets every session not in `keep` (ended ones, and those of sandboxes that are gone). */
  retain(keep: ReadonlySet<string>): void {
    const before = Object.keys(this.entries).length;
    this.entries = Object.fromEntries(Object.entries(this.entries).filter(([id]) => keep.has(id)));
    if (Object.keys(this.entries).length !== before) this.write();
  }

  delete(sessionId: string): void {
    if (!(sessionId in this.entries)) return;
    delete this.entries[sessionId];
    this.write();
  }
}

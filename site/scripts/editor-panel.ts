/**
 * The lab page's editor: a folder's files on the left, the open files as tabs,
 * CodeMirror for the text, Save (and Ctrl/Cmd+S). Files are the sandbox's, read
 * and written through the session's file API as the learner's own user; what the
 * sandbox refuses is said in the message line as the server words it. A file
 * changed in the sandbox since it was opened is never overwritten unasked.
 * Loaded by editor-toggle.ts on the first open only. Markup: EditorPanel.astro.
 */
import type { EditorState, Text } from '@codemirror/state';
import type { FolderEntry } from '../../protocol/files.ts';
import { createCodeEditor, type CodeEditor } from './editor-codemirror.ts';
import { listFolder, openFile, saveFile, type SessionKey } from './file-api.ts';
import { ApiError } from './lab-api.ts';

interface OpenFile {
  path: string;
  state: EditorState;
  /** The text as the sandbox has it (last opened or saved): the dirty mark compares with it. */
  saved: Text;
  /** Its hash then; a save is refused if the sandbox's file is no longer that. */
  hash: string;
  dirty: boolean;
  tab: HTMLElement;
}

type Tone = 'info' | 'success' | 'error';

const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1) || path;
const join = (folder: string, name: string) => `${folder === '/' ? '' : folder}/${name}`;
const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

function describe(error: unknown): string {
  if (error instanceof ApiError)
    return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  console.error('[drydock] editor', error);
  return 'Something went wrong in this page; reload it and try again.';
}

function part<T extends HTMLElement>(root: HTMLElement, name: string): T {
  const element = root.querySelector<T>(`[data-editor-${name}]`);
  if (!element) throw new Error(`the editor's markup lacks data-editor-${name}`);
  return element;
}

export class EditorPanel {
  readonly #ui: {
    tabs: HTMLElement;
    save: HTMLButtonElement;
    list: HTMLElement;
    folder: HTMLElement;
    refresh: HTMLButtonElement;
    pathForm: HTMLFormElement;
    path: HTMLInputElement;
    mount: HTMLElement;
    empty: HTMLElement;
    message: HTMLElement;
    confirm: HTMLElement;
    confirmText: HTMLElement;
  };
  readonly #editor: CodeEditor;
  #session: SessionKey | undefined;
  #files: OpenFile[] = [];
  #current: OpenFile | undefined;
  #folder: string | undefined;
  #saving = false;

  constructor(root: HTMLElement, session: SessionKey) {
    this.#ui = {
      tabs: part(root, 'tabs'),
      save: part(root, 'save'),
      list: part(root, 'list'),
      folder: part(root, 'folder'),
      refresh: part(root, 'refresh'),
      pathForm: part(root, 'path-form'),
      path: part(root, 'path'),
      mount: part(root, 'mount'),
      empty: part(root, 'empty'),
      message: part(root, 'message'),
      confirm: part(root, 'confirm'),
      confirmText: part(root, 'confirm-text'),
    };
    this.#session = session;
    this.#editor = createCodeEditor(this.#ui.mount, {
      onChange: (doc) => this.#markDirty(doc),
      onSave: () => void this.save(),
    });
    this.#ui.save.addEventListener('click', () => void this.save());
    this.#ui.refresh.addEventListener('click', () => void this.showFolder(this.#folder));
    this.#ui.pathForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const path = this.#ui.path.value.trim();
      if (path)
        void this.open(path.startsWith('/') || !this.#folder ? path : join(this.#folder, path));
    });
    // Ctrl/Cmd+S anywhere in the editor's panel (the file list too), not the browser's Save Page.
    root.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void this.save();
      }
    });
    part(root, 'overwrite').addEventListener('click', () => void this.save(true));
    part(root, 'reload').addEventListener('click', () => void this.#reload());
    part(root, 'keep').addEventListener('click', () => this.#askOverwrite(undefined));
    window.addEventListener('beforeunload', (event) => {
      if (this.#files.some((f) => f.dirty)) event.preventDefault();
    });
    this.#render();
  }

  /** The session whose sandbox the files are in; `undefined` once it ended (nothing can be saved then). */
  setSession(session: SessionKey | undefined): void {
    const changed = session?.id !== this.#session?.id;
    this.#session = session;
    if (!changed) return;
    for (const file of this.#files) file.tab.remove();
    this.#files = [];
    this.#current = undefined;
    this.#folder = undefined;
    this.#ui.list.replaceChildren();
    this.#askOverwrite(undefined);
    this.#say(session ? '' : 'The session ended: start the lab again to edit its files.');
    this.#render();
    if (session) void this.showFolder();
  }

  focus(): void {
    if (this.#current) this.#editor.focus();
    else this.#ui.list.querySelector<HTMLElement>('button')?.focus();
  }

  // --- the file list --------------------------------------------------------

  async showFolder(path?: string): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#ui.list.setAttribute('aria-busy', 'true');
    try {
      const folder = await listFolder(session, path);
      if (session !== this.#session) return;
      this.#folder = folder.path;
      this.#ui.folder.textContent = folder.path;
      this.#ui.folder.title = folder.path;
      const items: HTMLElement[] = [];
      if (folder.path !== '/') items.push(this.#entry('..', 'folder', parentOf(folder.path), 'Up'));
      for (const entry of folder.entries)
        items.push(this.#entry(entry.name, entry.type, join(folder.path, entry.name), entry));
      if (folder.truncated) {
        const more = document.createElement('li');
        more.className = 'editor-more';
        more.textContent = 'More files than shown: open one by its path above.';
        items.push(more);
      }
      this.#ui.list.replaceChildren(...items);
    } catch (error) {
      this.#say(describe(error), 'error');
    } finally {
      this.#ui.list.removeAttribute('aria-busy');
    }
  }

  #entry(
    name: string,
    type: FolderEntry['type'],
    path: string,
    about: FolderEntry | 'Up',
  ): HTMLElement {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'editor-entry';
    button.dataset.type = type;
    button.dataset.testid = `editor-entry-${name}`;
    const label = document.createElement('span');
    label.className = 'editor-entry-name';
    // Names are whatever the sandbox holds: text only.
    label.textContent = type === 'folder' && name !== '..' ? `${name}/` : name;
    button.append(label);
    if (about === 'Up') button.setAttribute('aria-label', 'Up to the parent folder');
    else if (about.size !== undefined) {
      const size = document.createElement('span');
      size.className = 'editor-entry-size';
      size.textContent =
        about.size < 1024 ? `${about.size} B` : `${Math.ceil(about.size / 1024)} KB`;
      button.append(size);
    }
    if (type === 'other') button.disabled = true;
    button.addEventListener(
      'click',
      () => void (type === 'folder' ? this.showFolder(path) : this.open(path)),
    );
    item.append(button);
    return item;
  }

  // --- open files -----------------------------------------------------------

  async open(path: string): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const already = this.#files.find((f) => f.path === path);
    if (already) return this.#select(already);
    this.#say(`Opening ${nameOf(path)}…`);
    try {
      const file = await openFile(session, path);
      if (session !== this.#session) return;
      const again = this.#files.find((f) => f.path === file.path);
      if (again) return this.#select(again);
      const state = this.#editor.stateFor(file.path, file.content);
      const opened: OpenFile = {
        path: file.path,
        state,
        saved: state.doc,
        hash: file.hash,
        dirty: false,
        tab: this.#tab(file.path),
      };
      this.#files.push(opened);
      this.#ui.tabs.append(opened.tab);
      this.#say('');
      this.#select(opened);
    } catch (error) {
      if (session === this.#session) this.#say(describe(error), 'error');
    }
  }

  #tab(path: string): HTMLElement {
    const tab = document.createElement('div');
    tab.className = 'editor-tab';
    tab.title = path;
    const select = document.createElement('button');
    select.type = 'button';
    select.setAttribute('role', 'tab');
    select.className = 'editor-tab-name';
    select.dataset.testid = `editor-tab-${nameOf(path)}`;
    select.textContent = nameOf(path);
    const mark = document.createElement('span');
    mark.className = 'editor-tab-dirty';
    mark.setAttribute('aria-label', 'unsaved changes');
    mark.textContent = '●';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'editor-tab-close';
    close.setAttribute('aria-label', `Close ${nameOf(path)}`);
    close.textContent = '×';
    select.addEventListener('click', () => {
      const file = this.#files.find((f) => f.tab === tab);
      if (file) this.#select(file);
    });
    close.addEventListener('click', () => {
      const file = this.#files.find((f) => f.tab === tab);
      if (file) this.#close(file);
    });
    tab.append(select, mark, close);
    return tab;
  }

  #select(file: OpenFile): void {
    if (this.#current === file) return this.#editor.focus();
    if (this.#current) this.#current.state = this.#editor.state;
    this.#current = file;
    this.#askOverwrite(undefined);
    this.#say('');
    this.#editor.show(file.state);
    this.#render();
    this.#editor.focus();
  }

  #close(file: OpenFile): void {
    if (file.dirty && !window.confirm(`${nameOf(file.path)} has unsaved changes. Close it anyway?`))
      return;
    const index = this.#files.indexOf(file);
    this.#files.splice(index, 1);
    file.tab.remove();
    if (this.#current === file) {
      this.#current = undefined;
      const next = this.#files[Math.min(index, this.#files.length - 1)];
      if (next) this.#select(next);
    }
    this.#askOverwrite(undefined);
    this.#render();
  }

  #markDirty(doc: Text): void {
    const file = this.#current;
    if (!file) return;
    const dirty = !doc.eq(file.saved);
    if (dirty === file.dirty) return;
    file.dirty = dirty;
    this.#render();
  }

  // --- saving ---------------------------------------------------------------

  /** Saves the current file; `overwrite` after the learner said to replace a changed one. */
  async save(overwrite = false): Promise<void> {
    const session = this.#session;
    const file = this.#current;
    if (!session || !file || this.#saving) return;
    const doc = this.#editor.state.doc;
    this.#saving = true;
    this.#render();
    try {
      const saved = await saveFile(
        session,
        file.path,
        doc.toString(),
        overwrite ? undefined : file.hash,
      );
      file.saved = doc;
      file.hash = saved.hash;
      file.dirty = !this.#editor.state.doc.eq(doc);
      this.#askOverwrite(undefined);
      this.#say(`Saved ${file.path}.`, 'success');
      // A file new to the folder shown appears in it.
      if (this.#folder === parentOf(file.path)) void this.showFolder(this.#folder);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'FILE_CHANGED') this.#askOverwrite(file);
      else this.#say(describe(error), 'error');
    } finally {
      this.#saving = false;
      this.#render();
    }
  }

  /** Shows (or hides) the question what to do with a file changed in the sandbox meanwhile. */
  #askOverwrite(file: OpenFile | undefined): void {
    this.#ui.confirm.hidden = !file;
    if (!file) return;
    this.#say('');
    this.#ui.confirmText.textContent = `${file.path} changed in the sandbox since you opened it (in the terminal, or by a container). Overwrite it with your version, or load the sandbox's version and lose your edits?`;
  }

  /** Replaces the current file's text with the sandbox's, after a conflict. */
  async #reload(): Promise<void> {
    const session = this.#session;
    const file = this.#current;
    if (!session || !file) return;
    try {
      const fresh = await openFile(session, file.path);
      file.state = this.#editor.stateFor(fresh.path, fresh.content);
      file.saved = file.state.doc;
      file.hash = fresh.hash;
      file.dirty = false;
      this.#editor.show(file.state);
      this.#askOverwrite(undefined);
      this.#say(`Loaded the sandbox's ${file.path}.`);
      this.#render();
    } catch (error) {
      this.#say(describe(error), 'error');
    }
  }

  // --- rendering ------------------------------------------------------------

  #say(text: string, tone: Tone = 'info'): void {
    this.#ui.message.textContent = text;
    this.#ui.message.dataset.tone = tone;
  }

  #render(): void {
    const file = this.#current;
    this.#ui.empty.hidden = Boolean(file);
    this.#ui.mount.hidden = !file;
    this.#ui.save.disabled = !file || !this.#session || this.#saving;
    this.#ui.save.setAttribute('aria-busy', String(this.#saving));
    for (const open of this.#files) {
      open.tab.toggleAttribute('data-dirty', open.dirty);
      open.tab.toggleAttribute('data-current', open === file);
      open.tab.querySelector('[role="tab"]')?.setAttribute('aria-selected', String(open === file));
    }
  }
}

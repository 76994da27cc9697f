/**
 * CodeMirror 6 as the lab page's editor: one view, one state per open file, the
 * language chosen by the file's name (Dockerfile and shell from the legacy modes,
 * YAML from lang-yaml), and colours that follow Starlight's light or dark theme.
 * Only editor-panel.ts imports this, and only once the learner opens the editor,
 * so no other page (and no lab page left without it) loads CodeMirror.
 */
import { basicSetup } from 'codemirror';
import { yaml } from '@codemirror/lang-yaml';
import {
  HighlightStyle,
  StreamLanguage,
  defaultHighlightStyle,
  syntaxHighlighting,
} from '@codemirror/language';
import { dockerFile } from '@codemirror/legacy-modes/mode/dockerfile';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { Compartment, EditorState, Prec, type Extension, type Text } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

/** The language of a file, by its name (and a shell script's first line). */
export function languageFor(path: string, firstLine = ''): Extension {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (/^(docker|container)file(\..*)?$|\.(docker|container)file$/.test(name))
    return StreamLanguage.define(dockerFile);
  if (/\.ya?ml$/.test(name)) return yaml();
  if (/\.(sh|bash)$|^\.(bashrc|profile|bash_profile)$/.test(name) || /^#!.*\bsh\b/.test(firstLine))
    return StreamLanguage.define(shell);
  return [];
}

/** Starlight's own colours, so the editor sits in the page in either theme. */
const frame = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '0.875rem',
    color: 'var(--sl-color-white)',
    backgroundColor: 'var(--sl-color-bg)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--sl-font-mono)', lineHeight: '1.55' },
  '.cm-gutters': {
    color: 'var(--sl-color-gray-3)',
    backgroundColor: 'var(--sl-color-bg-nav)',
    borderRight: '1px solid var(--sl-color-hairline)',
  },
  '.cm-activeLineGutter': { color: 'var(--sl-color-white)', backgroundColor: 'transparent' },
  '.cm-activeLine': {
    backgroundColor: 'color-mix(in srgb, var(--sl-color-gray-5) 35%, transparent)',
  },
  '.cm-cursor': { borderLeftColor: 'var(--sl-color-white)' },
});

const lightColours = [
  frame,
  EditorView.theme({}, { dark: false }),
  syntaxHighlighting(defaultHighlightStyle),
];

/** Readable on Starlight's dark background (after One Dark's palette). */
const darkHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.modifier], color: '#c678dd' },
  { tag: [t.string, t.special(t.string), t.inserted], color: '#98c379' },
  { tag: [t.comment, t.meta], color: '#8b95a7', fontStyle: 'italic' },
  { tag: [t.number, t.bool, t.atom, t.null], color: '#d19a66' },
  { tag: [t.variableName, t.special(t.variableName)], color: '#e06c75' },
  { tag: [t.propertyName, t.attributeName, t.definition(t.propertyName)], color: '#61afef' },
  { tag: [t.typeName, t.className, t.labelName], color: '#e5c07b' },
  { tag: [t.operator, t.punctuation, t.separator], color: '#abb2bf' },
  { tag: t.invalid, color: '#ffffff', backgroundColor: '#e06c75' },
]);
const darkColours = [
  frame,
  EditorView.theme({}, { dark: true }),
  syntaxHighlighting(darkHighlight),
];

const isDark = () => document.documentElement.dataset.theme !== 'light';

export interface CodeEditor {
  /** A fresh state for a file's text (its language from its name). */
  stateFor(path: string, text: string): EditorState;
  /** Shows a file's state (kept by the caller, with its undo history). */
  show(state: EditorState): void;
  readonly state: EditorState;
  focus(): void;
  destroy(): void;
}

export function createCodeEditor(
  mount: HTMLElement,
  handlers: { onChange: (doc: Text) => void; onSave: () => void },
): CodeEditor {
  const colours = new Compartment();
  const save = Prec.highest(
    keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (handlers.onSave(), true) }]),
  );
  const extensionsFor = (path: string, text: string): Extension[] => [
    save,
    basicSetup,
    // A narrow pane (or a phone) shows a long RUN line whole instead of scrolling sideways.
    EditorView.lineWrapping,
    colours.of(isDark() ? darkColours : lightColours),
    languageFor(path, text.split('\n', 1)[0]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) handlers.onChange(update.state.doc);
    }),
    EditorView.contentAttributes.of({ 'aria-label': `Contents of ${path}` }),
  ];

  const view = new EditorView({ parent: mount, state: EditorState.create({ doc: '' }) });
  // Starlight's theme picker sets data-theme on <html>: follow it while the editor is open.
  const themeWatch = new MutationObserver(() =>
    view.dispatch({ effects: colours.reconfigure(isDark() ? darkColours : lightColours) }),
  );
  themeWatch.observe(document.documentElement, { attributeFilter: ['data-theme'] });

  return {
    stateFor: (path, text) =>
      EditorState.create({ doc: text, extensions: extensionsFor(path, text) }),
    show(state) {
      view.setState(state);
      // A state made under the other theme takes the current one.
      view.dispatch({ effects: colours.reconfigure(isDark() ? darkColours : lightColours) });
    },
    get state() {
      return view.state;
    },
    focus: () => view.focus(),
    destroy() {
      themeWatch.disconnect();
      view.destroy();
    },
  };
}

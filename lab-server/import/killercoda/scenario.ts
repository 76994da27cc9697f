/**
 * A Killercoda scenario as its author wrote it: the folder with `index.json`,
 * the Markdown and scripts it names, and `assets/`. Read once and validated at
 * this edge; fields Drydock does not know are kept by name, so the import report
 * can list them instead of dropping them without a word.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import * as z from 'zod';

const path = z.string().min(1);

const page = z.looseObject({
  /** Markdown file shown for this page. */
  text: path.optional(),
  /** Script run on host01 when the page starts, out of the learner's sight. */
  background: path.optional(),
  /** Script run in the learner's terminal when the page starts. */
  foreground: path.optional(),
});

const step = page.extend({
  title: z.string().optional(),
  /** Script run when the learner presses Check: exit 0 passes. */
  verify: path.optional(),
});

const asset = z.looseObject({
  /** A file or folder in `assets/`, or a wildcard such as `*` or `*.yaml`. */
  file: path,
  /** The folder on the host the file goes to. */
  target: path,
  /** e.g. `+x`. */
  chmod: z.string().optional(),
});

export const scenarioSchema = z.looseObject({
  title: z.string().min(1),
  description: z.string().optional(),
  details: z.looseObject({
    intro: page.optional(),
    steps: z.array(step).default([]),
    finish: page.optional(),
    /** Per host (host01, host02, …), the files copied onto it. */
    assets: z.record(z.string(), z.array(asset)).optional(),
  }),
  backend: z.looseObject({ imageid: z.string().min(1) }).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;

/** Fields of index.json this importer reads; every other one is listed in the report. */
export const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': ['title', 'description', 'details', 'backend'],
  details: ['intro', 'steps', 'finish', 'assets'],
  'details.intro': ['text', 'background', 'foreground'],
  'details.steps[]': ['title', 'text', 'verify', 'background', 'foreground'],
  'details.finish': ['text', 'background', 'foreground'],
  'details.assets.*[]': ['file', 'target', 'chmod'],
  backend: ['imageid'],
};

export class ScenarioError extends Error {}

/** Every field of the raw index.json that KNOWN_FIELDS does not name, as `path: value`. */
export function unknownFields(raw: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (value: unknown, pattern: string, shown: string) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    const known = KNOWN_FIELDS[pattern] ?? [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const at = shown ? `${shown}.${key}` : key;
      if (!known.includes(key)) {
        found.push(`${at}: ${JSON.stringify(child)}`);
        continue;
      }
      const next = pattern ? `${pattern}.${key}` : key;
      if (next === 'details.steps')
        (child as unknown[]).forEach((s, i) => visit(s, 'details.steps[]', `${at}[${i}]`));
      else if (next === 'details.assets')
        for (const [host, list] of Object.entries(child as Record<string, unknown[]>))
          list.forEach((a, i) => visit(a, 'details.assets.*[]', `${at}.${host}[${i}]`));
      else visit(child, next, at);
    }
  };
  visit(raw, '', '');
  return found;
}

export interface ScenarioFolder {
  dir: string;
  raw: Record<string, unknown>;
  scenario: Scenario;
  /** The text of a file the scenario names, relative to its folder; undefined when missing. */
  read(file: string | undefined): string | undefined;
}

export function readScenario(dir: string): ScenarioFolder {
  const index = join(dir, 'index.json');
  if (!existsSync(index))
    throw new ScenarioError(
      `${index} does not exist: a Killercoda scenario is a folder with an index.json`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(index, 'utf8'));
  } catch (error) {
    throw new ScenarioError(`${index} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScenarioError(
      `${index}: ${issue.path.join('.') || '(top)'}: ${issue.message} (Killercoda's format: title, details.intro/steps/finish, backend.imageid)`,
    );
  }
  const root = resolve(dir);
  return {
    dir: root,
    raw: raw as Record<string, unknown>,
    scenario: parsed.data,
    read(file) {
      if (!file) return undefined;
      const full = resolve(root, file);
      // A scenario names files inside its own folder; anything else is not read.
      if (!full.startsWith(root + sep) || !existsSync(full)) return undefined;
      return readFileSync(full, 'utf8');
    },
  };
}

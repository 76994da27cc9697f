/**
 * `npm run schema:lab`: writes lab-format/lab.schema.json, the JSON Schema of
 * `lab.yaml` that editors validate against while an author types (docs/writing-labs.md,
 * "Editor support"). It is generated from the Zod schema in lab-format/schema.ts, so
 * the two cannot disagree; a unit test fails when the committed file is stale.
 *
 * Zod's `z.toJSONSchema` gives the structure. The help an editor shows on hover comes
 * from the doc comments on the fields in schema.ts (the same ones TypeScript shows),
 * read with TypeScript's parser: the schema stays written the way the rest of the
 * code is, and a field added with a comment gets its help with no second place to edit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import ts from 'typescript';
import { z } from 'zod';
import * as schemas from '../lab-format/schema.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_SOURCE = `${ROOT}lab-format/schema.ts`;
export const LAB_SCHEMA_FILE = `${ROOT}lab-format/lab.schema.json`;

interface Doc {
  description?: string;
  examples?: unknown[];
}

interface SourceDocs {
  /** Per exported constant: its own doc, and its object literal's fields' docs. */
  objects: Map<string, { doc: Doc; fields: Map<string, Doc> }>;
  /** Per exported array of strings (WRONG_FIX_KINDS): each element's doc. */
  lists: Map<string, Map<string, string>>;
}

/** A comment's lines as paragraphs: wrapped lines joined, blank lines kept. */
const unwrap = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
    .join('\n\n');

function docOf(node: ts.Node): Doc {
  const doc: Doc = {};
  for (const jsDoc of ts.getJSDocCommentsAndTags(node)) {
    if (!ts.isJSDoc(jsDoc)) continue;
    const text = ts.getTextOfJSDocComment(jsDoc.comment);
    if (text) doc.description = unwrap(text);
    for (const tag of jsDoc.tags ?? []) {
      if (tag.tagName.text !== 'example') continue;
      const example = ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '';
      let value: unknown = example;
      try {
        value = JSON.parse(example);
      } catch {
        // Not JSON: an example in words is shown as written.
      }
      (doc.examples ??= []).push(value);
    }
  }
  return doc;
}

/** The object literal passed to `z.strictObject(…)`/`z.object(…)` somewhere in an initializer. */
function objectLiteralIn(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    /^(strictObject|object|looseObject)$/.test(node.expression.name.text) &&
    node.arguments[0] &&
    ts.isObjectLiteralExpression(node.arguments[0])
  )
    return node.arguments[0];
  return ts.forEachChild(node, objectLiteralIn);
}

function readSourceDocs(text: string): SourceDocs {
  const source = ts.createSourceFile(SCHEMA_SOURCE, text, ts.ScriptTarget.Latest, true);
  const docs: SourceDocs = { objects: new Map(), lists: new Map() };
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
      const name = declaration.name.text;
      const literal = objectLiteralIn(declaration.initializer);
      if (literal) {
        const fields = new Map<string, Doc>();
        for (const property of literal.properties)
          if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name))
            fields.set(property.name.text, docOf(property));
        docs.objects.set(name, { doc: docOf(statement), fields });
      }
      let list = declaration.initializer;
      if (ts.isAsExpression(list)) list = list.expression;
      if (ts.isArrayLiteralExpression(list)) {
        const items = new Map<string, string>();
        for (const element of list.elements) {
          if (!ts.isStringLiteral(element)) continue;
          const comments = ts.getLeadingCommentRanges(text, element.getFullStart()) ?? [];
          const comment = comments
            .map((range) => text.slice(range.pos, range.end))
            .map((c) => c.replace(/^\/\*\*?|\*\/$/g, '').replace(/^\s*\* ?/gm, ''))
            .join(' ');
          if (comment.trim()) items.set(element.text, unwrap(comment));
        }
        docs.lists.set(name, items);
      }
    }
  }
  return docs;
}

/** The exported Zod object schemas by name, so a JSON Schema node can be matched to its comments. */
function exportedObjects(): Map<z.core.$ZodType, string> {
  const byZod = new Map<z.core.$ZodType, string>();
  for (const [name, value] of Object.entries(schemas))
    if (value instanceof z.ZodObject) byZod.set(value, name);
  return byZod;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

function describe(target: JsonSchema, doc: Doc | undefined): void {
  if (!doc) return;
  // Editors show `markdownDescription` on hover (VS Code's YAML and JSON support);
  // `description` is for everything else.
  if (doc.description) {
    target.description ??= doc.description;
    target.markdownDescription ??= doc.description;
  }
  if (doc.examples) target.examples ??= doc.examples;
}

/**
 * A rule written as `.refine(…)` has no JSON Schema (Zod drops it without a word):
 * say in the node that the loader checks it, so an editor's silence is not taken
 * for approval. Better still is a rule Zod can convert (a regex, bounds, an enum),
 * as the path rule is.
 */
function annotateRefinements(zodSchema: z.core.$ZodType, jsonSchema: JsonSchema): void {
  type CheckDef = { check?: string; error?: (issue: object) => unknown };
  const checks = (zodSchema._zod.def as { checks?: { _zod: { def: CheckDef } }[] }).checks;
  const rules = (checks ?? [])
    .map((check) => check._zod.def)
    .filter((def) => def.check === 'custom')
    .map((def) => (def.error ? String(def.error({})) : 'a custom rule'));
  if (rules.length > 0)
    jsonSchema.$comment = `Checked only when the lab loads (no JSON Schema for it): ${rules.join('; ')}.`;
}

/** The JSON Schema of lab.yaml as an object (draft-07: what most editors' YAML support reads). */
export function labJsonSchema(sourceText = readFileSync(SCHEMA_SOURCE, 'utf8')): JsonSchema {
  const docs = readSourceDocs(sourceText);
  const named = exportedObjects();
  const kinds = docs.lists.get('WRONG_FIX_KINDS');
  const generated = z.toJSONSchema(schemas.labManifestSchema, {
    target: 'draft-7',
    // What an author writes: fields with a default are optional.
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      annotateRefinements(zodSchema, jsonSchema as JsonSchema);
      const name = named.get(zodSchema);
      if (!name) return;
      const source = docs.objects.get(name);
      const object = jsonSchema as JsonSchema;
      describe(object, source?.doc);
      for (const [field, shared] of Object.entries(object.properties ?? {})) {
        // A copy: Zod hands out one node per Zod schema, and `slug` is used by
        // several fields, each with its own help.
        const property = { ...shared };
        describe(property, source?.fields.get(field));
        if (field === 'kind' && kinds && Array.isArray(property.enum))
          property.markdownEnumDescriptions = (property.enum as string[]).map(
            (kind) => kinds.get(kind) ?? '',
          );
        object.properties![field] = property;
      }
    },
  }) as JsonSchema;
  return {
    $schema: generated.$schema,
    $comment: 'Generated by `npm run schema:lab` from lab-format/schema.ts: do not edit.',
    title: 'Drydock lab manifest (lab.yaml)',
    ...generated,
  };
}

/** The file's text, formatted as `prettier --check` expects it. */
export async function labJsonSchemaText(): Promise<string> {
  const options = (await prettier.resolveConfig(LAB_SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(labJsonSchema()), {
    ...options,
    filepath: LAB_SCHEMA_FILE,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(LAB_SCHEMA_FILE, await labJsonSchemaText());
  console.log(`wrote ${LAB_SCHEMA_FILE.slice(ROOT.length)}`);
}

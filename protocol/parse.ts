/**
 * Reading what the other side sent against a protocol schema, without throwing:
 * each side decides what a malformed message costs (the server ignores a bad
 * control message; the browser refuses an answer it cannot read and says so).
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// Zod Mini's own messages are a bare "Invalid input"; these say what was expected.
z.config(en());

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

/** `value` against `schema`; `why` names the first thing wrong and where, in one line. */
export function parseValue<T>(schema: z.ZodMiniType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, why: `${where}${issue?.message ?? 'invalid'}` };
}

/** JSON `text` against `schema`; `why` never quotes the text, which may be anything. */
export function parseText<T>(schema: z.ZodMiniType<T>, text: string): Parsed<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  return parseValue(schema, value);
}

/**
 * Fastify validates requests and writes responses with the wire contract's own
 * Zod schemas (protocol/), given to routes as they are: what the server accepts
 * and sends is checked by the very schemas the browser parses with, with no JSON
 * Schema copy in between.
 *
 * Fastify's defaults, Ajv and fast-json-stringify, compile a validator and a
 * serializer into generated code for every route as the server starts: 190 ms of
 * CPU and about 8 MiB of an idle server's memory (docs/operating.md, "Memory").
 * With these compilers in the constructor's `schemaController`, Fastify never
 * loads them. fastify-type-provider-zod does the same in as few lines, but
 * requires @fastify/swagger as a peer, which npm would then install for nothing.
 */
import type { FastifyServerOptions } from 'fastify';
import type * as z from 'zod/mini';
// Also sets Zod Mini's messages to English.
import { parseValue } from '../../protocol/parse.ts';

/** A request part that does not match, as Fastify hands it to the error handler (`error.validation`). */
export interface RequestIssue {
  /** Where, as a JSON pointer: `/name`, `/tasks/0`. */
  instancePath: string;
  message: string;
}

/** The input a failed request part blames, as a form names it: `/tasks/0` → `tasks.0`. */
export const fieldOf = (issue: { instancePath: string }) =>
  issue.instancePath.slice(1).replace(/\//g, '.');

/** A field that is absent says so, rather than "expected string, received undefined". */
const missingIsRequired = (issue: { code?: string; input?: unknown }) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined;

/** A route's schema for one part: a protocol schema, as imported. */
type PartSchema = { schema: z.ZodMiniType };

/**
 * The request part (`body`, `params`, `querystring`, `headers`) against its
 * schema. The parsed value replaces the part, so a handler sees only the fields
 * the schema names. Only the first issue is reported: the message names one thing
 * to fix, and its field is the one a form marks.
 */
function validatorFor({ schema }: PartSchema) {
  return (data: unknown) => {
    const result = schema.safeParse(data, { error: missingIsRequired });
    if (result.success) return { value: result.data };
    const [issue] = result.error.issues;
    const issues: RequestIssue[] = [
      {
        instancePath: issue?.path.length ? `/${issue.path.map(String).join('/')}` : '',
        message: issue?.message ?? 'invalid',
      },
    ];
    return { error: issues as unknown as Error };
  };
}

/**
 * An answer against the route's response schema, then JSON. An object schema
 * drops the fields it does not name, so a field the protocol lacks never reaches
 * a client; an answer that does not match is the server's fault, a 500 whose log
 * says what was wrong, never a malformed answer.
 */
function serializerFor({ schema }: PartSchema) {
  return (data: unknown) => {
    const answer = parseValue(schema, data);
    if (answer.ok) return JSON.stringify(answer.value);
    throw new Error(`the answer does not match its protocol schema: ${answer.why}`);
  };
}

type SchemaOptions = Pick<FastifyServerOptions, 'schemaController' | 'schemaErrorFormatter'>;
type CompilersFactory = NonNullable<
  NonNullable<SchemaOptions['schemaController']>['compilersFactory']
>;

/** `Fastify({ schemaController, schemaErrorFormatter })`: Zod for both directions, and messages that name the field. */
export const zodSchemaOptions: SchemaOptions = {
  schemaController: {
    // Fastify types these factories for Ajv's and fast-json-stringify's schemas;
    // a route's schema here is a Zod schema, as routes give it.
    compilersFactory: {
      buildValidator: () => validatorFor,
      buildSerializer: () => serializerFor,
    } as unknown as CompilersFactory,
  },
  schemaErrorFormatter: (errors, part) => {
    const [first] = errors as unknown as RequestIssue[];
    const field = first ? fieldOf(first) : '';
    return new Error(`${part}${field ? `.${field}` : ''}: ${first?.message ?? 'invalid'}`);
  },
};

/**
 * Fastify's schemas, derived from the wire contract in protocol/ (Zod), so that
 * what the server validates and sends is what the browser parses. Fastify
 * validates requests with Ajv and writes responses with fast-json-stringify;
 * both read JSON Schema draft-7.
 */
import * as z from 'zod/mini';

/**
 * A protocol schema (Zod Mini) as JSON Schema, read as its input side: only a strict object
 * (`z.strictObject`, for bodies) gets `additionalProperties: false`. For a
 * response that matters: fast-json-stringify writes only the properties a schema
 * lists, so a field the protocol lacks never reaches a client; but it picks a
 * union's branch by validating the value against each, and such a field must be
 * left out of the answer, not turn it into a 500.
 */
export function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
}

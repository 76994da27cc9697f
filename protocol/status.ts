/**
 * Whether labs can run: `GET /api/status` (the lab page's banner) and the
 * operator's probes `GET /healthz` and `GET /readyz`.
 */
import * as z from 'zod/mini';

/** Why labs are not available yet, or not at all. */
export const UNAVAILABLE_STATES = ['checking', 'preparing', 'unavailable'] as const;

export const LabsStatusSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    state: z.literal('ready'),
    /** Labs this server cannot run, slug → why (a requirement its sandboxes lack). */
    unsupported: z.optional(z.record(z.string(), z.string())),
  }),
  z.object({
    available: z.literal(false),
    state: z.enum(UNAVAILABLE_STATES),
    /** In words a learner can read: the lab page shows it. */
    reason: z.string(),
  }),
]);
export type LabsStatus = z.infer<typeof LabsStatusSchema>;

export const StatusResponseSchema = z.object({ labs: LabsStatusSchema });
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

/** `GET /healthz`: the process serves requests. */
export const LivenessSchema = z.object({ status: z.literal('ok') });
export type Liveness = z.infer<typeof LivenessSchema>;

/** `GET /readyz`: 200 while labs can start, 503 with the reason otherwise. */
export const ReadinessSchema = z.discriminatedUnion('ready', [
  z.object({ ready: z.literal(true), state: z.literal('ready') }),
  z.object({ ready: z.literal(false), state: z.enum(UNAVAILABLE_STATES), reason: z.string() }),
]);
export type Readiness = z.infer<typeof ReadinessSchema>;

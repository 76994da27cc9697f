/**
 * Why a session's sandbox ended: the reasons the API (`endReason`) and the
 * terminal WebSocket (`ended`) give, and how they read to a learner. Shared by the
 * lab server and the browser client, so it must stay free of Node-only APIs.
 * `capacity` and `policy` are reserved for admission control and abuse handling.
 */
import * as z from 'zod/mini';

export const END_REASONS = [
  'stopped',
  'idle',
  'expired',
  'memory',
  'engine',
  'failed',
  'shutdown',
  'capacity',
  'policy',
  'operator',
] as const;

export const EndReasonSchema = z.enum(END_REASONS);
export type EndReason = z.infer<typeof EndReasonSchema>;

export const END_MESSAGES: Record<EndReason, string> = {
  stopped: 'The sandbox was stopped and removed.',
  idle: 'The sandbox was removed because nobody used it for a while.',
  expired: 'The sandbox reached its time limit and was removed.',
  memory: 'The sandbox ran out of memory and was removed.',
  engine:
    'The sandbox stopped unexpectedly (its container was stopped or the Docker engine restarted) and was removed.',
  failed: 'The sandbox could not be started.',
  shutdown: 'The lab server shut down; the sandbox was removed.',
  capacity: 'The sandbox was removed to make room on a full server.',
  policy: 'The sandbox was removed because it broke the server’s rules.',
  operator: 'The server’s operator ended this session; the sandbox was removed.',
};

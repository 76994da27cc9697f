/**
 * Why a session's sandbox ended: the reasons the API (`endReason`) and the
 * terminal WebSocket (`ended`) give, and how they read to a learner. Shared by the
 * lab server and the browser client, so it must stay free of Node-only APIs.
 * `capacity`: the host ran short of memory and this sandbox used more than its
 * share (lab-server/admission/capacity-guard.ts). `class`: the instructor ended the
 * class the learner joined (lab-server/classes/); `reset` and `instructor`: the
 * instructor reset the learner's lab or ended their session from the dashboard.
 * `policy` is reserved for abuse handling.
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
  'class',
  'reset',
  'instructor',
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
  capacity:
    'The server ran short of memory while this sandbox used more than its share, so it was removed. Start the lab again; to stay within your share, remove images, containers and files you no longer need (docker system prune -a).',
  policy: 'The sandbox was removed because it broke the server’s rules.',
  operator: 'The server’s operator ended this session; the sandbox was removed.',
  class: 'Your instructor ended the class; the sandbox was removed.',
  reset: 'Your instructor reset this lab. Press Start for a fresh sandbox.',
  instructor: 'Your instructor ended this session; the sandbox was removed.',
};

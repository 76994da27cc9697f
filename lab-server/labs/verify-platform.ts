/**
 * A private lab platform for `drydock labs verify`: the real server's parts
 * (images, sandboxes, sessions) without HTTP, under an owner label of its own,
 * so that it never adopts or removes the sandboxes of a server running on the
 * same engine, and removes everything it made when it closes.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { Platform } from '../platform.ts';
import type { SessionManager } from '../sessions/session-manager.ts';

export interface VerifyPlatform {
  platform: Platform;
  sessions: SessionManager;
  close(): Promise<void>;
}

export async function startVerifyPlatform(
  config: Config,
  log: FastifyBaseLogger,
  overrides: { profile?: Config['sandbox']['profile']; maxSandboxes?: number } = {},
): Promise<VerifyPlatform> {
  const platform = new Platform(
    {
      ...config,
      owner: `verify-${randomBytes(4).toString('hex')}`,
      shutdown: 'remove',
      // Verifying a lab must never remove an image another server on this engine uses.
      oldImages: 'keep',
      maxSandboxes: overrides.maxSandboxes ?? config.maxSandboxes,
      sandbox: { ...config.sandbox, profile: overrides.profile ?? config.sandbox.profile },
    },
    log,
  );
  platform.start();
  const status = await platform.whenSettled();
  if (status.state !== 'ready' || !platform.sessions) {
    await platform.close();
    throw new Error(`labs are unavailable on this host: ${status.reason ?? status.state}`);
  }
  return { platform, sessions: platform.sessions, close: () => platform.close() };
}

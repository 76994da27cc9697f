/**
 * A private lab platform for `drydock labs verify`: the real server's parts
 * (built by buildApp, never listening) under an owner label of its own and with
 * a throw-away store, so that it never adopts or removes the sandboxes of a
 * server running on the same engine, and removes everything it made when it
 * closes.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import type { SessionManager } from '../sessions/session-manager.ts';

export interface VerifyPlatform {
  app: FastifyInstance;
  sessions: SessionManager;
  close(): Promise<void>;
}

export async function startVerifyPlatform(
  config: Config,
  log: FastifyBaseLogger,
  overrides: { profile?: Config['sandbox']['profile']; maxSandboxes?: number } = {},
): Promise<VerifyPlatform> {
  const app = await buildApp(
    {
      ...config,
      owner: `verify-${randomBytes(4).toString('hex')}`,
      database: { dialect: 'sqlite', path: ':memory:' },
      shutdown: 'remove',
      // Verifying a lab must never remove an image another server on this engine uses.
      oldImages: 'keep',
      maxSandboxes: overrides.maxSandboxes ?? config.maxSandboxes,
      // Every verification starts from a fresh setup: no pool sets up sandboxes ahead.
      warm: { ...config.warm, pools: {}, max: 0 },
      // The contract judges the checks it runs itself: a live check beside them would
      // run the same scripts at the same moment (a check that writes what it then looks
      // for would find the other's), and count in the idle CPU it measures.
      liveChecks: { ...config.liveChecks, share: 0 },
      sandbox: { ...config.sandbox, profile: overrides.profile ?? config.sandbox.profile },
    },
    { loggerInstance: log },
  );
  await app.ready();
  const status = await app.backend.whenSettled();
  if (status.state !== 'ready') {
    await app.close();
    throw new Error(`labs are unavailable on this host: ${status.reason ?? status.state}`);
  }
  return { app, sessions: app.sessions, close: () => app.close() };
}

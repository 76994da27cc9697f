/**
 * Makes a sandbox ready for a lab, for nobody yet: creates it (recorded in the
 * store, unbound), waits for its engine, copies the lab's files and images in
 * (or, for a lab with a prepare script, its prepared engine state: engine-states.ts)
 * and runs the setup. A cold start does this for a learner who waits; a warm
 * pool does it ahead of them. Each phase is timed (signals.ts, START_PHASES).
 */
import { createReadStream } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import type { PreparedBackend } from '../backend/sandbox-backend.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { StartPhase } from '../signals.ts';
import type { SessionStore } from '../store/session-store.ts';
import { LabRunner } from './lab-runner.ts';

export type Phases = Partial<Record<StartPhase, number>>;

export interface SetUpSandbox {
  sandbox: Sandbox;
  runner: LabRunner;
  lab: Lab;
  seed: string;
}

/** The caller no longer wants the sandbox (its session was stopped while it was made). */
export class SetupCancelled extends Error {}

export async function setUpSandbox(opts: {
  backend: PreparedBackend;
  store: SessionStore;
  owner: string;
  lab: Lab;
  labVersion: string;
  seed: string;
  setupTimeoutMs: number;
  priority?: 'background';
  log: FastifyBaseLogger;
  /** Times of each phase go here, as they end. */
  phases: Phases;
  /** What the learner is told at each step (nothing for a warm pool's). */
  progress?: (message: string) => void;
  /** Asked once the container exists: false removes it and cancels. */
  wanted?: () => boolean;
  /** The container exists (a caller that may be stopped keeps it to remove it). */
  created?: (sandbox: Sandbox) => void;
}): Promise<SetUpSandbox> {
  const { lab, seed, phases } = opts;
  const say = opts.progress ?? (() => {});
  const timed = async <T>(phase: StartPhase, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    phases[phase] = Math.round(performance.now() - started) / 1000;
    return result;
  };
  // A lab's first learner after a change waits while its engine state is prepared.
  const engineState = await opts.backend.engineStateFor(lab, say);
  say('Starting the sandbox…');
  const createdAt = new Date();
  const sandbox = await timed('sandbox', () =>
    opts.backend.provider.create({
      lab: lab.slug,
      seed,
      createdAt,
      labVersion: opts.labVersion,
      ...(opts.priority ? { priority: opts.priority } : {}),
      ...(engineState ? { restoresEngineState: true } : {}),
    }),
  );
  opts.created?.(sandbox);
  opts.log.info({ container: sandbox.id.slice(0, 12), lab: lab.slug }, 'sandbox created');
  try {
    // Known to the store from its first moment, unbound: a crash during setup
    // leaves a row that the next start's reconcile removes with its container.
    await opts.store.addSandbox({
      id: sandbox.id,
      owner: opts.owner,
      lab: lab.slug,
      state: 'warming',
      createdAt: createdAt.getTime(),
    });
    if (opts.wanted && !opts.wanted()) throw new SetupCancelled('no longer wanted');
    const runner = new LabRunner(lab, sandbox, seed);
    say('Starting the sandbox’s own Docker engine…');
    // The files need only the learner's namespaces, not the engine: they are copied
    // while it starts (each phase keeps its own time; together they take the longer).
    if (engineState) {
      // The engine starts once its prepared state (images included) is in place.
      await Promise.all([
        timed('images', () => sandbox.restoreEngineState(createReadStream(engineState))),
        timed('files', () => runner.copyFiles()),
      ]);
      await timed('engine', () => sandbox.waitUntilReady(30_000));
    } else {
      await Promise.all([
        timed('engine', () => sandbox.waitUntilReady(30_000)),
        timed('files', () => runner.copyFiles()),
      ]);
      say('Loading the lab’s images…');
      const images = await opts.backend.imagesFor(lab);
      await timed('images', () => runner.loadImages(images));
    }
    say('Setting up the scenario…');
    await timed('setup', async () => {
      await runner.setup(opts.setupTimeoutMs);
      await sandbox.markReady();
    });
    await timed('shell', () => sandbox.startShell(lab.manifest.workdir));
    return { sandbox, runner, lab, seed };
  } catch (error) {
    await removeSandbox(opts.store, sandbox, opts.log);
    throw error;
  }
}

/** Removes a sandbox from the engine, then from the store; a failure is logged (the next start retries). */
export async function removeSandbox(
  store: SessionStore,
  sandbox: Sandbox | undefined,
  log: FastifyBaseLogger,
): Promise<void> {
  if (!sandbox) return;
  try {
    await sandbox.remove();
    await store.removeSandbox(sandbox.id);
  } catch (err) {
    log.error(
      { err, container: sandbox.id.slice(0, 12) },
      'removing a sandbox failed; the next start will retry',
    );
  }
}

/**
 * Prepared engine states: for a lab with a prepare script, the contents of a
 * sandbox's engine after that script ran once on a fresh engine with the lab's
 * files and images (the images a setup builds, with their build cache). Saved
 * once per version of the lab, they are unpacked into each new sandbox before
 * its engine starts, in place of loading the lab's images one by one; setup then
 * finds the builds it repeats already cached. Kept in the state directory as
 * engine-states/<lab>-<kind>-<key>.tar: `kind` names the sandbox image and
 * profile the state is for, `key` the lab's version too.
 */
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import { type LabImage, LabRunner } from './lab-runner.ts';

/** The seed a prepare script sees: it runs for nobody, and must not vary per learner. */
const PREPARE_SEED = 'prepare';

/**
 * How long a state made for another kind of sandbox (another server on the same
 * state directory, with another profile or sandbox image) is kept after its last
 * use. Removing it at once made two such servers remake each other's states at
 * every start, each time a lab's first learner waited for it.
 */
export const OTHER_KINDS_KEPT_MS = 24 * 3600_000;

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const STATE_FILE = /-([0-9a-f]{8})-[0-9a-f]{16}\.tar$/;

export interface EngineStatesOptions {
  stateDir: string;
  provider: SandboxProvider;
  imagesFor: (lab: Lab) => Promise<LabImage[]>;
  /** The lab's version (labs/catalog.ts): its files and the builds of its images. */
  labVersion: (lab: Lab) => string;
  /** What else a state depends on: the sandbox image and the isolation profile. */
  sandboxKey: string;
  setupTimeoutMs: number;
  log: FastifyBaseLogger;
}

export class EngineStates {
  private readonly opts: EngineStatesOptions;
  private readonly dir: string;
  private readonly making = new Map<string, Promise<string>>();
  private readonly kind: string;

  constructor(opts: EngineStatesOptions) {
    this.opts = opts;
    this.dir = join(opts.stateDir, 'engine-states');
    this.kind = hash(opts.sandboxKey).slice(0, 8);
  }

  /** Where the lab's state is kept, made or not. */
  fileFor(lab: Lab): string {
    const key = hash(`${this.opts.labVersion(lab)}\0${this.opts.sandboxKey}`).slice(0, 16);
    return join(this.dir, `${lab.slug}-${this.kind}-${key}.tar`);
  }

  /** The lab's saved state, made now if it is missing; none for a lab without a prepare script. */
  async stateFor(lab: Lab, progress?: (message: string) => void): Promise<string | undefined> {
    if (!lab.manifest.prepare) return undefined;
    const file = this.fileFor(lab);
    try {
      // Marked as used: a server of another kind sharing the directory keeps it (removeStale).
      const now = new Date();
      utimesSync(file, now, now);
      return file;
    } catch {
      // Not made yet: made now.
    }
    let pending = this.making.get(file);
    if (!pending) {
      pending = this.make(lab, lab.manifest.prepare, file).finally(() => this.making.delete(file));
      this.making.set(file, pending);
    }
    progress?.('Preparing this lab for its first learner (once per version of the lab)…');
    return pending;
  }

  /**
   * Removes saved states no current lab starts from (other versions, removed
   * labs); those of another kind of sandbox once unused for OTHER_KINDS_KEPT_MS.
   */
  removeStale(labs: Lab[]): void {
    if (!existsSync(this.dir)) return;
    const now = Date.now();
    const current = new Set(labs.filter((l) => l.manifest.prepare).map((l) => this.fileFor(l)));
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (current.has(file) || name.endsWith('.partial')) continue;
      const kind = STATE_FILE.exec(name)?.[1];
      if (kind && kind !== this.kind && now - statSync(file).mtimeMs < OTHER_KINDS_KEPT_MS)
        continue;
      rmSync(file, { force: true });
    }
  }

  private async make(lab: Lab, prepare: string, file: string): Promise<string> {
    const started = performance.now();
    const sandbox = await this.opts.provider.create({
      lab: lab.slug,
      seed: PREPARE_SEED,
      createdAt: new Date(),
      labVersion: this.opts.labVersion(lab),
      priority: 'background',
    });
    try {
      const runner = new LabRunner(lab, sandbox, PREPARE_SEED);
      await Promise.all([sandbox.waitUntilReady(30_000), runner.copyFiles()]);
      await runner.loadImages(await this.opts.imagesFor(lab));
      const result = await runner.run(prepare, this.opts.setupTimeoutMs);
      if (result.exitCode !== 0)
        throw new Error(
          `prepare script ${prepare} of lab ${lab.slug} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}):\n${result.output.trim().slice(-2000)}`,
        );
      // A container would be every learner's, started before anyone's setup ran.
      const left = await sandbox.exec(['docker', 'ps', '-aq'], { timeoutMs: 30_000 });
      if (left.exitCode !== 0 || left.output.trim() !== '')
        throw new Error(
          `prepare script ${prepare} of lab ${lab.slug} left containers in the engine; start containers in setup, not in prepare`,
        );
      mkdirSync(this.dir, { recursive: true });
      const partial = `${file}.${process.pid}.partial`;
      const out = createWriteStream(partial);
      try {
        await sandbox.saveEngineState(out);
        out.end();
        await finished(out);
        renameSync(partial, file);
      } finally {
        out.destroy();
        rmSync(partial, { force: true });
      }
      this.opts.log.info(
        { lab: lab.slug, seconds: Math.round(performance.now() - started) / 1000 },
        'engine state prepared',
      );
      return file;
    } finally {
      await sandbox.remove();
    }
  }
}

/**
 * The Docker sandbox backend: whether labs can run on this host and what they
 * need. Probes the engine (again every 5 s while it is missing), builds missing
 * images and removes outdated ones, measures which labs the profile cannot run
 * here, then hands the session layer its provider. The site works without an
 * engine; labs become available once the engine answers and the images exist.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import type { Lab } from '../../lab-format/load.ts';
import { FEATURES } from '../../lab-format/features.ts';
import type { Config } from '../config.ts';
import { connect, insecureEngineWarning, probeEngine } from '../docker/engine.ts';
import { ensureImages, removeStaleImages, savedImage } from '../images/builder.ts';
import type { LabCatalog } from '../labs/catalog.ts';
import { DockerSandboxProvider } from '../sandbox/docker-sandbox.ts';
import { probeFeatures } from '../sandbox/features.ts';
import { SandboxStartError } from '../sandbox/start-failure.ts';
import { EngineStates } from '../sessions/engine-states.ts';
import type { LabImage } from '../sessions/lab-runner.ts';
import type { Signals } from '../signals.ts';
import {
  type LabsStatus,
  type PreparedBackend,
  type SandboxBackend,
  settled,
} from './sandbox-backend.ts';

/**
 * How long to wait before preparing labs again after a failure: 5 s, doubling up to
 * 5 min. A host fixed by its operator (an engine started, a device made usable)
 * brings labs back without a restart; a host that stays broken is not hammered.
 */
const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 300_000;

export class DockerBackend implements SandboxBackend {
  status: LabsStatus = {
    available: false,
    state: 'checking',
    reason: 'The lab server is checking its Docker engine.',
  };
  private readonly config: Config;
  private readonly catalog: LabCatalog;
  private readonly docker: Docker;
  private readonly log: FastifyBaseLogger;
  private readonly signals: Signals | undefined;
  private retry: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  private preparationFailed = false;
  private closed = false;
  private onPrepared: (prepared: PreparedBackend) => Promise<void> = async () => {};

  constructor(config: Config, catalog: LabCatalog, log: FastifyBaseLogger, signals?: Signals) {
    this.config = config;
    this.catalog = catalog;
    this.log = log;
    this.signals = signals;
    this.docker = connect(config.engine);
    const insecure = insecureEngineWarning(config.engine);
    if (insecure) log.warn(insecure);
  }

  start(onPrepared: (prepared: PreparedBackend) => Promise<void>): void {
    this.onPrepared = onPrepared;
    void this.prepare();
  }

  whenSettled(timeoutMs = 600_000): Promise<LabsStatus> {
    return settled(this, timeoutMs);
  }

  private async prepare(): Promise<void> {
    const engine = await probeEngine(this.docker, this.config.engine);
    if (this.closed) return;
    if (!engine.available) {
      if (this.status.state !== 'unavailable')
        this.log.error(`labs unavailable: ${engine.reason} How to fix: ${engine.fix}`);
      this.status = { available: false, state: 'unavailable', reason: engine.reason };
      // Once it answers, the page says what the server does next (preparing images).
      this.preparationFailed = false;
      // An engine that is starting answers within seconds: ask again soon, always.
      this.retry = setTimeout(() => void this.prepare(), RETRY_FIRST_MS);
      this.retry.unref();
      return;
    }
    this.log.info(`Docker engine ${engine.version} answers`);
    // Trying again after a failed preparation, the page keeps saying why until it works.
    if (!this.preparationFailed)
      this.status = {
        available: false,
        state: 'preparing',
        reason:
          'The lab server is preparing the sandbox images (the first start builds them, which takes a few minutes).',
      };
    try {
      const tags = await ensureImages(
        this.docker,
        this.catalog.recipes,
        this.config.stateDir,
        this.log,
        {
          build: this.config.buildImages === 'auto',
          onBuilt: (image, seconds) => this.signals?.emit('image-built', { image, seconds }),
        },
      );
      const sandboxImage = tags.get('sandbox');
      if (!sandboxImage)
        throw new Error(`there is no sandbox recipe in ${join(this.config.root, 'images')}`);
      if (this.config.oldImages === 'remove')
        await removeStaleImages(this.docker, this.catalog.recipes, this.log);
      const provider = new DockerSandboxProvider(this.docker, {
        image: sandboxImage,
        owner: this.config.owner,
        ...this.config.sandbox,
      });
      const unsupported = await this.unsupportedLabs(provider, sandboxImage);
      const imagesFor = (lab: Lab) => this.labImages(lab);
      const engineStates = new EngineStates({
        stateDir: this.config.stateDir,
        provider,
        imagesFor,
        labVersion: (lab) => this.catalog.version(lab),
        sandboxKey: `${sandboxImage} ${this.config.sandbox.profile}`,
        setupTimeoutMs: this.config.setupTimeoutMs,
        log: this.log,
      });
      engineStates.removeStale(this.catalog.labs);
      await this.onPrepared({
        provider,
        imagesFor,
        engineStateFor: (lab, progress) => engineStates.stateFor(lab, progress),
      });
      if (this.closed) return;
      this.status = {
        available: true,
        state: 'ready',
        ...(Object.keys(unsupported).length ? { unsupported } : {}),
      };
      this.log.info(`labs ready: ${this.catalog.labs.length} lab(s)`);
      this.retryDelayMs = RETRY_FIRST_MS;
      this.preparationFailed = false;
    } catch (error) {
      if (this.closed) return;
      this.unavailable(error as Error);
    }
  }

  /** Says why labs cannot run (log and status), and tries again later. */
  private unavailable(error: Error): void {
    const retryIn = `trying again in ${Math.round(this.retryDelayMs / 1000)} s`;
    if (error instanceof SandboxStartError) {
      // The sandbox's own last words are the evidence an operator needs.
      const tail = error.logTail.map((line) => `  | ${line}`).join('\n');
      this.log.error(
        { sandboxLog: error.logTail },
        `labs unavailable: sandboxes cannot start on this host: ${error.reason}; ${retryIn}. ` +
          `The sandbox's log ended with:\n${tail || '  (nothing)'}`,
      );
      this.status = {
        available: false,
        state: 'unavailable',
        reason: `Sandboxes cannot start on this host: ${error.reason}. The server tries again by itself.`,
      };
    } else {
      this.log.error(
        { err: error },
        `labs unavailable: preparing the sandboxes failed; ${retryIn}`,
      );
      this.status = {
        available: false,
        state: 'unavailable',
        reason: `Preparing the sandboxes failed: ${error.message.split('\n')[0]}. The server tries again by itself.`,
      };
    }
    this.preparationFailed = true;
    this.retry = setTimeout(() => void this.prepare(), this.retryDelayMs);
    this.retry.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  /** Labs whose `requires` the profile does not provide on this host, with the reason for learners. */
  private async unsupportedLabs(
    provider: DockerSandboxProvider,
    image: string,
  ): Promise<Record<string, string>> {
    const { profile } = this.config.sandbox;
    // dockerode types `info()` as any; these two fields are all we read.
    const info = (await this.docker.info()) as { ID?: string; CgroupVersion?: string };
    const cgroup = info.CgroupVersion ?? '1';
    const engine = `${info.ID ?? 'unknown'} cgroup-v${cgroup}`;
    const features = await probeFeatures(
      provider,
      { image, profile, engine },
      this.config.stateDir,
      this.log,
    );
    const unsupported: Record<string, string> = {};
    for (const lab of this.catalog.labs) {
      const missing = lab.manifest.requires.filter((feature) => !features.has(feature));
      if (missing.length === 0) continue;
      const hostNote =
        profile === 'rootless'
          ? `: they run rootless, and on this host (cgroup v${cgroup}) a rootless engine cannot enforce them`
          : '';
      unsupported[lab.slug] =
        `it needs ${missing.map((f) => FEATURES[f]).join(' and ')}, which this server’s sandboxes cannot provide${hostNote}.`;
      this.log.warn(
        `lab ${lab.slug} is unavailable: it requires ${missing.join(', ')}, which the ${profile} profile does not provide on this host`,
      );
    }
    return unsupported;
  }

  private async labImages(lab: Lab): Promise<LabImage[]> {
    return Promise.all(
      lab.manifest.images.map(async (slug) => {
        const recipe = this.catalog.recipes.find((r) => r.slug === slug)!;
        return {
          file: await savedImage(this.docker, recipe, this.config.stateDir),
          tag: recipe.tag,
          name: recipe.name,
        };
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
  }
}

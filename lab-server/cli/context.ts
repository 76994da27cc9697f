/**
 * What the verbs need from their surroundings, made once and on demand: the
 * configuration (the same environment variables and parser as the server, so
 * `drydock` talks about the server that `npm start` runs) and the engine.
 */
import { delimiter, resolve } from 'node:path';
import type Docker from 'dockerode';
import { imageDirs, loadContentLabs } from '../../lab-format/content-packs.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { connect, probeEngine } from '../docker/engine.ts';
import { loadImageCatalog, type ImageRecipe } from '../images/catalog.ts';
import { CliError, EXIT } from './output.ts';

export class Context {
  private cached: Config | undefined;
  private readonly packs: string[] = [];

  /**
   * Adds a content pack to DRYDOCK_CONTENT's (`--pack`, e.g. in the pack's own CI);
   * before the configuration is first read.
   */
  usePack(folder: string): void {
    if (this.cached) throw new Error('usePack after the configuration was read');
    this.packs.push(resolve(folder));
  }

  /** The configuration; a bad environment variable is a usage error (exit 2) with its fix. */
  get config(): Config {
    if (!this.cached) {
      try {
        const packs = [process.env.DRYDOCK_CONTENT, ...this.packs].filter(Boolean);
        this.cached = loadConfig(
          this.packs.length
            ? { ...process.env, DRYDOCK_CONTENT: packs.join(delimiter) }
            : process.env,
        );
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
    }
    return this.cached;
  }

  recipes(): ImageRecipe[] {
    return loadImageCatalog(imageDirs(this.config.content));
  }

  /** The labs the server would offer: built-in ones and content packs', as they override each other. */
  labs() {
    return loadContentLabs(this.config.content);
  }

  /** The packs named with `--pack` (their folders), for verbs that then act on those packs' labs only. */
  get packFolders(): readonly string[] {
    return this.packs;
  }

  /** The engine, after making sure it answers; otherwise a failure that says how to fix it. */
  async engine(): Promise<Docker> {
    const docker = connect(this.config.engine);
    const status = await probeEngine(docker, this.config.engine);
    if (!status.available) throw new CliError(`${status.reason} ${status.fix}`);
    return docker;
  }
}

/**
 * What the verbs need from their surroundings, made once and on demand: the
 * configuration (the same environment variables and parser as the server, so
 * `drydock` talks about the server that `npm start` runs) and the engine.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import { loadLabs } from '../../lab-format/load.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { connect, probeEngine } from '../docker/engine.ts';
import { loadImageCatalog, type ImageRecipe } from '../images/catalog.ts';
import { CliError, EXIT } from './output.ts';

export class Context {
  private cached: Config | undefined;

  /** The configuration; a bad environment variable is a usage error (exit 2) with its fix. */
  get config(): Config {
    if (!this.cached) {
      try {
        this.cached = loadConfig();
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
    }
    return this.cached;
  }

  recipes(): ImageRecipe[] {
    return loadImageCatalog(join(this.config.root, 'images'));
  }

  labs() {
    return loadLabs(join(this.config.root, 'labs'), {
      imagesDir: join(this.config.root, 'images'),
      displayRoot: this.config.root,
    });
  }

  /** The engine, after making sure it answers; otherwise a failure that says how to fix it. */
  async engine(): Promise<Docker> {
    const docker = connect(this.config.engine);
    const status = await probeEngine(docker, this.config.engine);
    if (!status.available) throw new CliError(`${status.reason} ${status.fix}`);
    return docker;
  }
}

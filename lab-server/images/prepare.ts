/**
 * What every image-building entry point does before its own work: reach the
 * engine (or say plainly why not), build a catalogue's images whose inputs
 * changed, and drop its outdated builds when the configuration says so.
 * `npm test` (scripts/prepare-images.ts) and the server image build
 * (deploy/build-image.ts) share it; the server itself does the same steps in
 * backend/docker-backend.ts, with status and retries around them.
 */
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { connect, probeEngine } from '../docker/engine.ts';
import { ensureImages, removeStaleImages } from './builder.ts';
import { loadImageCatalog } from './catalog.ts';

export class EngineUnreachableError extends Error {}

/** The configured engine, once it answers; otherwise an error with the reason and the fix. */
export async function reachEngine(config: Config): Promise<Docker> {
  const docker = connect(config.engine);
  const engine = await probeEngine(docker, config.engine);
  if (!engine.available) throw new EngineUnreachableError(`${engine.reason} ${engine.fix}`);
  return docker;
}

/** Builds the recipes in `dirs` (images/ and content packs' ones) that are missing; returns slug → tag. */
export async function prepareCatalog(
  docker: Docker,
  config: Config,
  dirs: readonly string[],
  log: FastifyBaseLogger,
): Promise<Map<string, string>> {
  const recipes = loadImageCatalog(dirs);
  const tags = await ensureImages(docker, recipes, config.stateDir, log, { build: true });
  if (config.oldImages === 'remove') await removeStaleImages(docker, recipes, log);
  return tags;
}

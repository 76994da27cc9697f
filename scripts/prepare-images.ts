/**
 * Builds the platform's images if their inputs changed (`npm test` runs this
 * before the tests, so the build shows as its own step with progress).
 */
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../lab-server/config.ts';
import { connect, probeEngine } from '../lab-server/docker/engine.ts';
import { ensureImages, removeStaleImages } from '../lab-server/images/builder.ts';
import { loadImageCatalog } from '../lab-server/images/catalog.ts';

const config = loadConfig();
const log = pino({
  level: 'info',
  ...(process.stdout.isTTY
    ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } }
    : {}),
});
const docker = connect(config.engine);
const engine = await probeEngine(docker, config.engine);
if (!engine.available) {
  log.error(`${engine.reason} ${engine.fix}`);
  process.exit(1);
}
const started = Date.now();
const recipes = loadImageCatalog(join(config.root, 'images'));
const tags = await ensureImages(docker, recipes, config.stateDir, log, { build: true });
if (config.oldImages === 'remove') await removeStaleImages(docker, recipes, log);
log.info(
  `images ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[...tags.values()].join(', ')}`,
);

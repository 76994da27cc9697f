/**
 * Builds the platform's images if their inputs changed (`npm test` runs this
 * while the static checks run, with its progress in a log of its own).
 */
import pino from 'pino';
import { imageDirs } from '../lab-format/content-packs.ts';
import { loadConfig } from '../lab-server/config.ts';
import {
  EngineUnreachableError,
  prepareCatalog,
  reachEngine,
} from '../lab-server/images/prepare.ts';

const config = loadConfig();
const log = pino({
  level: 'info',
  ...(process.stdout.isTTY
    ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } }
    : {}),
});
const started = Date.now();
const docker = await reachEngine(config).catch((error: Error) => {
  if (!(error instanceof EngineUnreachableError)) throw error;
  log.error(error.message);
  process.exit(1);
});
const tags = await prepareCatalog(docker, config, imageDirs(config.content), log);
log.info(
  `images ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${[...tags.values()].join(', ')}`,
);

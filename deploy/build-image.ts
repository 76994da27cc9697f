/**
 * `scripts/drydock image`: everything the compose deployment needs, in one
 * command. The sandbox images are built here, on the host, because mmdebstrap
 * cannot run in an unprivileged container; they live in the engine, where the
 * containerized server finds them by the same input hashes. Then the server's
 * base image (Debian minbase, from the mirror) and the server image itself.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { imageDirs } from '../lab-format/content-packs.ts';
import { loadConfig } from '../lab-server/config.ts';
import {
  EngineUnreachableError,
  prepareCatalog,
  reachEngine,
} from '../lab-server/images/prepare.ts';
import { LABEL, PLATFORM } from '../lab-server/labels.ts';

/** The tag compose.yaml runs unless DRYDOCK_IMAGE says otherwise. */
const SERVER_IMAGE = process.argv[2] ?? 'drydock/server:latest';

/** Where Debian keeps the certificate authorities an administrator added. */
const LOCAL_CAS = '/usr/local/share/ca-certificates';

const config = loadConfig();
const log = pino({
  level: 'info',
  ...(process.stderr.isTTY
    ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname' } } }
    : {}),
});
const docker = await reachEngine(config).catch((error: Error) => {
  if (!(error instanceof EngineUnreachableError)) throw error;
  log.error(error.message);
  process.exit(1);
});

const started = Date.now();
await prepareCatalog(docker, config, imageDirs(config.content), log);
const base = (
  await prepareCatalog(docker, config, [join(config.root, 'deploy', 'images')], log)
).get('server-base')!;
// compose.yaml's build section names the base by this tag, for a `docker compose build` by hand.
await docker.getImage(base).tag({ repo: 'drydock/server-base', tag: 'latest' });

// The image trusts what this host trusts (a TLS-inspecting proxy's CA, say): see
// deploy/ca-certificates/README.md.
const caDir = join(config.root, 'deploy', 'ca-certificates');
for (const file of readdirSync(caDir)) if (file.endsWith('.crt')) rmSync(join(caDir, file));
if (existsSync(LOCAL_CAS))
  for (const file of readdirSync(LOCAL_CAS))
    if (file.endsWith('.crt')) copyFileSync(join(LOCAL_CAS, file), join(caDir, file));

const previous = await docker
  .getImage(SERVER_IMAGE)
  .inspect()
  .then((image) => image.Id)
  .catch(() => undefined);
log.info(`building ${SERVER_IMAGE} from ${base} (Node and npm packages from the npm registry)`);
const code = await new Promise<number | null>((resolve, reject) => {
  const child = spawn(
    'docker',
    [
      'build',
      // A failed step's container is removed too, not left behind.
      '--force-rm',
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '--build-arg',
      `DRYDOCK_PUBLIC_URL=${config.publicUrl?.url ?? ''}`,
      '--label',
      `${LABEL.platform}=${PLATFORM}`,
      '--tag',
      SERVER_IMAGE,
      config.root,
    ],
    // The docker CLI reads DOCKER_HOST and friends itself; its progress goes to the terminal.
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  child.on('error', reject);
  child.on('exit', resolve);
});
if (code !== 0) {
  log.error(`docker build failed (exit ${code}); its output is above`);
  process.exit(1);
}
const current = (await docker.getImage(SERVER_IMAGE).inspect()).Id;
if (previous && previous !== current) {
  // The earlier build of this tag (no other checkout uses it, whatever DRYDOCK_OLD_IMAGES says),
  // unless a container still runs it (409): the next build removes it then.
  await docker
    .getImage(previous)
    .remove()
    .then(() => log.info(`removed the earlier build of ${SERVER_IMAGE}`))
    .catch(() => undefined);
}
log.info(
  `${SERVER_IMAGE} is ready (${((Date.now() - started) / 1000).toFixed(0)} s). Start it with: docker compose up -d (or docker-compose up -d)`,
);

/**
 * Builds the platform's images when their inputs changed, without any registry:
 * Debian images with mmdebstrap from the package mirror, the rest from a
 * Dockerfile whose base is one of our own images. Progress goes to the log.
 */
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { pack } from 'tar-fs';
import { ignoreGone } from '../docker/engine.ts';
import { LABEL, PLATFORM } from '../labels.ts';
import type { ImageRecipe } from './catalog.ts';

type BuildKitFollower = {
  followProgress(
    stream: NodeJS.ReadableStream,
    done: (err: Error | null, out: unknown) => void,
    onEvent: (event: { error?: string }) => void,
  ): void;
};

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function exists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

function heartbeat(log: FastifyBaseLogger, what: string): () => void {
  const started = Date.now();
  const timer = setInterval(
    () => log.info(`${what}: still working (${Math.round((Date.now() - started) / 1000)} s)`),
    10_000,
  );
  return () => clearInterval(timer);
}

function packageList(dir: string): string[] {
  return readFileSync(join(dir, 'packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

async function buildDebian(
  docker: Docker,
  recipe: ImageRecipe,
  workDir: string,
  log: FastifyBaseLogger,
) {
  const tarPath = join(workDir, `${recipe.slug}-rootfs.tar`);
  const args = [
    `--variant=${recipe.spec.variant ?? 'minbase'}`,
    `--include=${packageList(recipe.dir).join(',')}`,
    ...(existsSync(join(recipe.dir, 'rootfs'))
      ? [`--customize-hook=sync-in ${join(recipe.dir, 'rootfs')} /`]
      : []),
    // customize.sh runs inside the finished root file system (users, permissions).
    ...(existsSync(join(recipe.dir, 'customize.sh'))
      ? [`--customize-hook=chroot "$1" /bin/sh -eu < '${join(recipe.dir, 'customize.sh')}'`]
      : []),
    '--customize-hook=rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*',
    recipe.spec.suite ?? 'trixie',
    tarPath,
  ];
  log.info(
    `building ${recipe.tag} from Debian ${recipe.spec.suite ?? 'trixie'} with mmdebstrap (about a minute on first start)`,
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mmdebstrap', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      for (const line of chunk.split('\n'))
        if (line.startsWith('I: ')) log.info(`${recipe.slug}: ${line.slice(3)}`);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'mmdebstrap is not installed (apt-get install mmdebstrap); it builds the sandbox image from Debian packages',
            )
          : error,
      ),
    );
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mmdebstrap failed (exit ${code}):\n${tail}`)),
    );
  });
  const changes = [
    `ENV PATH=${PATH}`,
    ...(recipe.spec.entrypoint ? [`ENTRYPOINT ${JSON.stringify(recipe.spec.entrypoint)}`] : []),
    `LABEL ${LABEL.platform}=${PLATFORM} ${LABEL.inputHash}=${recipe.inputHash}`,
  ];
  const [repo, tag] = recipe.tag.split(':') as [string, string];
  const stream = await docker.importImage(tarPath, { repo, tag, changes });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))),
  );
  rmSync(tarPath, { force: true });
}

async function buildDockerfile(
  docker: Docker,
  recipe: ImageRecipe,
  tags: Map<string, string>,
  log: FastifyBaseLogger,
  nocache = false,
) {
  const buildargs = Object.fromEntries(
    Object.entries(recipe.spec.buildArgs).map(([key, value]) => [
      key,
      value.startsWith('@') ? tags.get(value.slice(1))! : value,
    ]),
  );
  log.info(`building ${recipe.tag} from images/${recipe.slug}/Dockerfile`);
  // tar-fs streams are streamx streams; dockerode only pipes them.
  const context = pack(recipe.dir) as unknown as NodeJS.ReadableStream;
  const stream = await docker.buildImage(context, {
    t: recipe.tag,
    buildargs,
    nocache,
    labels: { [LABEL.platform]: PLATFORM, [LABEL.inputHash]: recipe.inputHash },
    // BuildKit: multi-stage builds leave no untagged stage images behind.
    version: '2',
  });
  // dockerode 5's followProgress decodes BuildKit's output; @types/dockerode predates it.
  const follow = (docker as unknown as BuildKitFollower).followProgress.bind(docker);
  await new Promise((resolve, reject) =>
    follow(
      stream,
      (err, out) => (err ? reject(err) : resolve(out)),
      (event) => {
        if (event.error) reject(new Error(`building ${recipe.tag} failed: ${event.error}`));
      },
    ),
  );
}

/**
 * Removes earlier images of this very recipe that lost their tag to the build
 * just made: a forced rebuild, or two processes (a server and `drydock images
 * build`) building the same missing image at once, would otherwise leave the
 * other one behind, untagged and unseen by `images prune`, which goes by tag.
 */
async function removeReplaced(docker: Docker, recipe: ImageRecipe, log: FastifyBaseLogger) {
  const replaced = await docker.listImages({
    filters: { dangling: ['true'], label: [`${LABEL.inputHash}=${recipe.inputHash}`] },
  });
  for (const image of replaced) {
    // One a container still runs from (409) stays; `drydock images prune` takes it later.
    await ignoreGone(docker.getImage(image.Id).remove()).catch((err: unknown) =>
      log.warn({ err, image: image.Id }, `could not remove an earlier build of ${recipe.tag}`),
    );
  }
}

/**
 * Makes sure every recipe's image exists, building what is missing, and saves
 * the images labs load into sandboxes as tar files for quick loading.
 * Returns slug → tag.
 */
export async function ensureImages(
  docker: Docker,
  recipes: ImageRecipe[],
  stateDir: string,
  log: FastifyBaseLogger,
  options: {
    build: boolean;
    /** Told how long each image that had to be built took (metrics). */
    onBuilt?: (image: string, seconds: number) => void;
    /** Slugs rebuilt even when their current build exists (without layer cache). */
    force?: string[];
  },
): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  const workDir = join(stateDir, 'build');
  mkdirSync(workDir, { recursive: true });
  // Independent recipes build at the same time (two mmdebstrap runs mostly wait on the
  // mirror); a recipe starts once the images it builds on exist.
  const builds = new Map<string, Promise<void>>();
  const ensure = async (recipe: ImageRecipe): Promise<void> => {
    await Promise.all(recipe.dependsOn.map((slug) => builds.get(slug) ?? Promise.resolve()));
    const force = options.force?.includes(recipe.slug) ?? false;
    if (force || !(await exists(docker, recipe.tag))) {
      if (!options.build)
        throw new Error(`image ${recipe.tag} is missing and DRYDOCK_BUILD_IMAGES=never`);
      const started = Date.now();
      const stop = heartbeat(log, `building ${recipe.tag}`);
      try {
        if (recipe.kind === 'debian') await buildDebian(docker, recipe, workDir, log);
        else await buildDockerfile(docker, recipe, tags, log, force);
      } finally {
        stop();
      }
      await removeReplaced(docker, recipe, log);
      log.info(`built ${recipe.tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      options.onBuilt?.(recipe.slug, (Date.now() - started) / 1000);
    }
    tags.set(recipe.slug, recipe.tag);
  };
  // Recipes come in dependency order, so every dependency's promise exists when it is awaited.
  for (const recipe of recipes) builds.set(recipe.slug, ensure(recipe));
  const failed = (await Promise.allSettled(builds.values())).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return tags;
}

const saving = new Map<string, Promise<string>>();

/** Path of the saved image tar for loading into sandboxes; written once per tag, even when sessions start together. */
export function savedImage(docker: Docker, recipe: ImageRecipe, stateDir: string): Promise<string> {
  const dir = join(stateDir, 'images');
  const file = join(dir, `${recipe.slug}-${recipe.inputHash.slice(0, 12)}.tar`);
  if (existsSync(file)) return Promise.resolve(file);
  let pending = saving.get(file);
  if (!pending) {
    pending = (async () => {
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.partial`;
      await pipeline(await docker.getImage(recipe.tag).get(), createWriteStream(partial));
      renameSync(partial, file);
      return file;
    })().finally(() => saving.delete(file));
    saving.set(file, pending);
  }
  return pending;
}

/**
 * Removes earlier builds of these recipes (same repository, other input hash),
 * skipping those a container still uses. Images of other repositories are left alone.
 */
export async function removeStaleImages(
  docker: Docker,
  recipes: ImageRecipe[],
  log: FastifyBaseLogger,
): Promise<void> {
  const current = new Map(recipes.map((r) => [r.name, r.inputHash]));
  const images = await docker.listImages({ filters: { label: [`${LABEL.platform}=${PLATFORM}`] } });
  for (const image of images) {
    const hash = image.Labels?.[LABEL.inputHash];
    const repos = new Set((image.RepoTags ?? []).map((tag) => tag.slice(0, tag.lastIndexOf(':'))));
    const outdated = [...repos].some((repo) => current.has(repo) && current.get(repo) !== hash);
    if (!hash || !outdated) continue;
    try {
      await docker.getImage(image.Id).remove();
      log.info(`removed outdated image ${image.RepoTags?.join(', ') || image.Id}`);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
  }
}

/**
 * The platform's own images as an operator sees them: which builds exist (the
 * current one of each recipe and older ones), how big and how old they are,
 * which containers use them; removing old builds without touching one a live
 * sandbox uses; old saved archives; and moving every current image to another
 * host as one archive (`docker save` of all tags, optionally gzipped).
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type Docker from 'dockerode';
import { LABEL, PLATFORM } from '../labels.ts';
import type { ImageRecipe } from './catalog.ts';

export interface ImageBuild {
  /** The recipe's folder in images/. */
  slug: string;
  tag: string;
  id: string;
  /** The build of the recipe's current inputs; the others are older builds. */
  current: boolean;
  sizeBytes: number;
  createdAt: string;
  /** Containers carrying the platform's labels that use this image (sandboxes, probes). */
  usedBy: number;
}

export interface ImageInventory {
  builds: ImageBuild[];
  /** Current builds that do not exist yet (built at the next start or by `drydock images build`). */
  missing: { slug: string; tag: string }[];
}

/** dockerode's `docker save` of several images; @types/dockerode lacks it. */
type SaveMany = { getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream> };

const repoOf = (tag: string) => tag.slice(0, tag.lastIndexOf(':'));

/** Image id → number of platform containers (any owner, any state) using it. */
async function imagesInUse(docker: Docker): Promise<Map<string, number>> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  const use = new Map<string, number>();
  for (const c of containers) use.set(c.ImageID, (use.get(c.ImageID) ?? 0) + 1);
  return use;
}

export async function listBuilds(docker: Docker, recipes: ImageRecipe[]): Promise<ImageInventory> {
  const byRepo = new Map(recipes.map((r) => [r.name, r]));
  const [images, use] = await Promise.all([
    docker.listImages({ filters: { label: [`${LABEL.platform}=${PLATFORM}`] } }),
    imagesInUse(docker),
  ]);
  const builds: ImageBuild[] = [];
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      const recipe = byRepo.get(repoOf(tag));
      if (!recipe) continue;
      builds.push({
        slug: recipe.slug,
        tag,
        id: image.Id,
        current: tag === recipe.tag,
        sizeBytes: image.Size,
        createdAt: new Date(image.Created * 1000).toISOString(),
        usedBy: use.get(image.Id) ?? 0,
      });
    }
  }
  const order = new Map(recipes.map((r, i) => [r.slug, i]));
  builds.sort(
    (a, b) =>
      order.get(a.slug)! - order.get(b.slug)! ||
      Number(b.current) - Number(a.current) ||
      b.createdAt.localeCompare(a.createdAt),
  );
  const missing = recipes
    .filter((r) => !builds.some((b) => b.tag === r.tag))
    .map((r) => ({ slug: r.slug, tag: r.tag }));
  return { builds, missing };
}

export interface PruneResult {
  removed: string[];
  /** Older builds kept: in use by a container, or among the `keep` newest. */
  kept: { tag: string; why: string }[];
  removedArchives: string[];
  freedBytes: number;
}

/**
 * Removes older builds of these recipes, keeping the `keep` newest older builds of
 * each and every image a platform container uses, and saved image archives
 * (`<stateDir>/images/*.tar`) that are not of a current build.
 */
export async function pruneBuilds(
  docker: Docker,
  recipes: ImageRecipe[],
  stateDir: string,
  keep = 0,
): Promise<PruneResult> {
  const result: PruneResult = { removed: [], kept: [], removedArchives: [], freedBytes: 0 };
  const { builds } = await listBuilds(docker, recipes);
  const seen = new Map<string, number>();
  for (const build of builds) {
    if (build.current) continue;
    const rank = (seen.get(build.slug) ?? 0) + 1;
    seen.set(build.slug, rank);
    if (build.usedBy > 0) {
      result.kept.push({ tag: build.tag, why: `used by ${build.usedBy} sandbox container(s)` });
      continue;
    }
    if (rank <= keep) {
      result.kept.push({ tag: build.tag, why: `one of the ${keep} newest older build(s)` });
      continue;
    }
    try {
      // By tag, not id: an image that also carries a current tag only loses the old name.
      await docker.getImage(build.tag).remove();
      result.removed.push(build.tag);
      if (!builds.some((b) => b.id === build.id && b.tag !== build.tag))
        result.freedBytes += build.sizeBytes;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      // 409: a container started from it since we looked; 404: someone else removed it.
      if (status === 409) result.kept.push({ tag: build.tag, why: 'in use (the engine refused)' });
      else if (status !== 404) throw error;
    }
  }
  // Builds of ours that lost their tag (to a rebuild of the same recipe) have no tag to go by.
  const untagged = await docker.listImages({
    filters: { dangling: ['true'], label: [`${LABEL.platform}=${PLATFORM}`] },
  });
  for (const image of untagged) {
    try {
      await docker.getImage(image.Id).remove();
      result.removed.push(`${image.Id.slice(7, 19)} (untagged)`);
      result.freedBytes += image.Size;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409)
        result.kept.push({ tag: image.Id.slice(7, 19), why: 'in use (the engine refused)' });
      else if (status !== 404) throw error;
    }
  }
  const archives = join(stateDir, 'images');
  if (existsSync(archives)) {
    const current = new Set(recipes.map((r) => `${r.slug}-${r.inputHash.slice(0, 12)}.tar`));
    for (const name of readdirSync(archives)) {
      if (current.has(name) || !/\.tar(\.partial)?$/.test(name)) continue;
      const file = join(archives, name);
      // A .partial younger than an hour may be a running server's save in progress.
      if (name.endsWith('.partial') && Date.now() - statSync(file).mtimeMs < 3_600_000) continue;
      result.freedBytes += statSync(file).size;
      rmSync(file, { force: true });
      result.removedArchives.push(file);
    }
  }
  return result;
}

/** Writes the current builds of `recipes` (those that exist) into one `docker save` archive; gzip for *.gz. */
export async function exportImages(
  docker: Docker,
  recipes: ImageRecipe[],
  file: string,
): Promise<{ tags: string[]; bytes: number }> {
  const { builds } = await listBuilds(docker, recipes);
  const tags = builds.filter((b) => b.current).map((b) => b.tag);
  if (tags.length === 0) throw new Error('none of these images exists yet: build them first');
  const partial = `${file}.partial`;
  // GET /images/get?names=a&names=b: one archive with every tag, layers shared once.
  const archive = await (docker as unknown as SaveMany).getImages({ names: tags });
  if (file.endsWith('.gz')) await pipeline(archive, createGzip(), createWriteStream(partial));
  else await pipeline(archive, createWriteStream(partial));
  renameSync(partial, file);
  return { tags, bytes: statSync(file).size };
}

/** Loads an archive written by exportImages (gzipped or not; the engine unpacks either). */
export async function importImages(docker: Docker, file: string): Promise<string[]> {
  const stream = await docker.loadImage(createReadStream(file), { quiet: true });
  const events: { stream?: string; error?: string }[] = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out as never))),
  );
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`the engine could not load ${file}: ${failed.error}`);
  return events
    .map((e) => /Loaded image: (\S+)/.exec(e.stream ?? '')?.[1])
    .filter((tag): tag is string => tag !== undefined);
}

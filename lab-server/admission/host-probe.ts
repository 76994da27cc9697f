/**
 * Measures the outer engine's host for the admission check: MemTotal from
 * `docker info`, and the free space of the file system holding the engine's
 * DockerRootDir when the engine runs on this machine. What cannot be measured
 * is left out (and said once in the log), so the check falls back to the
 * configured maximum rather than refusing everyone.
 */
import { statfs } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import type { HostFacts } from './room.ts';

/** `docker info` is asked again after this long; memory size and data directory rarely change. */
const INFO_TTL_MS = 30_000;

/** Whether DOCKER_HOST names an engine on this machine, whose data directory we can statfs. */
export function isLocalEngine(dockerHost: string): boolean {
  const url = new URL(dockerHost);
  return url.protocol === 'unix:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export class HostProbe {
  private readonly docker: Docker;
  private readonly local: boolean;
  private readonly log: FastifyBaseLogger;
  private info: { at: number; memTotalBytes?: number; rootDir?: string } | undefined;
  private pending: Promise<void> | undefined;
  private readonly said = new Set<string>();

  constructor(docker: Docker, dockerHost: string, log: FastifyBaseLogger) {
    this.docker = docker;
    this.local = isLocalEngine(dockerHost);
    this.log = log;
  }

  async facts(): Promise<HostFacts> {
    if (!this.info || Date.now() - this.info.at > INFO_TTL_MS) {
      this.pending ??= this.refresh().finally(() => (this.pending = undefined));
      await this.pending;
    }
    const facts: HostFacts = {};
    if (this.info?.memTotalBytes) facts.memTotalBytes = this.info.memTotalBytes;
    const diskFree = await this.diskFree(this.info?.rootDir);
    if (diskFree !== undefined) facts.diskFreeBytes = diskFree;
    return facts;
  }

  private async refresh(): Promise<void> {
    try {
      const info = (await this.docker.info()) as { MemTotal?: number; DockerRootDir?: string };
      this.info = { at: Date.now(), memTotalBytes: info.MemTotal, rootDir: info.DockerRootDir };
      if (!info.MemTotal)
        this.once(
          'memory',
          'the Docker engine does not report MemTotal: the memory admission check is off',
        );
    } catch (error) {
      // Keep the last answer; without one, only the configured maximum applies until the engine answers.
      this.once(
        'info',
        `asking the Docker engine for its host's memory failed (${(error as Error).message}): admitting sandboxes by count only until it answers`,
      );
      if (this.info) this.info.at = Date.now();
    }
  }

  private async diskFree(rootDir: string | undefined): Promise<number | undefined> {
    if (!rootDir) return undefined;
    if (!this.local) {
      this.once(
        'remote',
        `the Docker engine is remote, so the free space of its data directory (${rootDir}) cannot be measured: the disk admission check is off`,
      );
      return undefined;
    }
    try {
      const s = await statfs(rootDir);
      return s.bavail * s.bsize;
    } catch (error) {
      this.once(
        'statfs',
        `cannot measure free space in the engine's data directory ${rootDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the disk admission check is off`,
      );
      return undefined;
    }
  }

  private once(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.log.warn(message);
  }
}

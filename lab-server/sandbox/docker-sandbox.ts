/**
 * Sandboxes as containers on the outer engine, each with its own Docker engine
 * inside. How much the sandbox may do on the host is the isolation profile's
 * business (sandbox/profiles.ts); this module creates, enters and removes them.
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ignoreGone } from '../docker/engine.ts';
import { LABEL, ownerFilter, PLATFORM } from '../labels.ts';
import { hostConfigFor, PROFILES, type ProfileName } from './profiles.ts';
import type { ExecOptions, ExecResult, Sandbox, SandboxProvider, SandboxSpec, Terminal } from './sandbox.ts';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Checks never look in /usr/local, which the learner can write. */
const CHECK_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export interface DockerSandboxOptions {
  image: string;
  owner: string;
  profile: ProfileName;
  memoryBytes: number;
  diskBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

/** Where the learner works: see images/sandbox/rootfs/usr/lib/drydock/enter. */
const ENTER = '/usr/lib/drydock/enter';


function envList(env: Record<string, string> = {}): string[] {
  return Object.entries({ PATH, ...env }).map(([key, value]) => `${key}=${value}`);
}

class DockerSandbox implements Sandbox {
  readonly id: string;
  private readonly docker: Docker;
  private readonly profile: ProfileName;

  constructor(docker: Docker, id: string, profile: ProfileName) {
    this.docker = docker;
    this.id = id;
    this.profile = profile;
  }

  async exec(cmd: string[], options: ExecOptions): Promise<ExecResult> {
    const container = this.docker.getContainer(this.id);
    const exec = await container.exec({
      Cmd: [ENTER, options.as ?? 'shell', ...cmd],
      User: PROFILES[this.profile].user,
      Env: envList({ ...(options.as === 'check' ? { PATH: CHECK_PATH } : {}), ...options.env }),
      WorkingDir: options.workdir,
      AttachStdin: Boolean(options.stdin),
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: Boolean(options.stdin) });
    // Ending our side half-closes the hijacked connection: the command sees EOF.
    options.stdin?.on('error', () => stream.destroy()).pipe(stream);
    const max = options.maxOutputBytes ?? 64 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      if (size >= max) {
        truncated = true;
        return;
      }
      const kept = chunk.subarray(0, max - size);
      truncated ||= kept.length < chunk.length;
      chunks.push(kept);
      size += kept.length;
    });
    this.docker.modem.demuxStream(stream, sink, sink);

    let timedOut = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        stream.destroy();
        resolve();
      }, options.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    const info = await exec.inspect();
    return {
      exitCode: timedOut || info.ExitCode === null ? 124 : info.ExitCode,
      output: Buffer.concat(chunks).toString('utf8'),
      timedOut,
      truncated,
    };
  }

  async openTerminal(options: { cols: number; rows: number; workdir: string; env?: Record<string, string> }): Promise<Terminal> {
    const exec = await this.docker.getContainer(this.id).exec({
      Cmd: [ENTER, 'shell', '/bin/bash', '--login'],
      User: PROFILES[this.profile].user,
      Env: envList({ TERM: 'xterm-256color', COLORTERM: 'truecolor', LANG: 'C.UTF-8', HOME: '/root', ...options.env }),
      WorkingDir: options.workdir,
      Tty: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    const resize = async (cols: number, rows: number) => {
      await ignoreGone(exec.resize({ w: cols, h: rows }));
    };
    await resize(options.cols, options.rows);
    return { stream, resize };
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 100;
    for (;;) {
      const result = await this.exec(['docker', 'version', '--format', '{{.Server.Version}}'], { as: 'check', timeoutMs: 5000 }).catch(
        (error: Error) => ({ exitCode: -1, output: error.message }),
      );
      if (result.exitCode === 0) return;
      if (Date.now() + delay > deadline) {
        throw new Error(`the sandbox's Docker engine did not answer within ${timeoutMs / 1000} s: ${result.output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 1.5, 1000);
    }
  }

  async remove(): Promise<void> {
    await ignoreGone(this.docker.getContainer(this.id).remove({ force: true, v: true }));
  }
}

export class DockerSandboxProvider implements SandboxProvider {
  private readonly docker: Docker;
  private readonly options: DockerSandboxOptions;

  constructor(docker: Docker, options: DockerSandboxOptions) {
    this.docker = docker;
    this.options = options;
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const labels = {
      [LABEL.platform]: PLATFORM,
      [LABEL.owner]: this.options.owner,
      [LABEL.session]: spec.sessionId,
      [LABEL.lab]: spec.lab,
      [LABEL.expiresAt]: spec.expiresAt.toISOString(),
    };
    const name = `drydock-${this.options.owner}-${spec.sessionId}`;
    const { profile } = this.options;
    try {
      const container = await this.docker.createContainer({
        name,
        Image: this.options.image,
        Hostname: 'sandbox',
        Labels: labels,
        Env: envList(PROFILES[profile].env),
        HostConfig: hostConfigFor(profile, this.options),
      });
      await container.start();
      return new DockerSandbox(this.docker, container.id, profile);
    } catch (error) {
      await ignoreGone(this.docker.getContainer(name).remove({ force: true, v: true }));
      throw error;
    }
  }

  async list() {
    const containers = await this.docker.listContainers({ all: true, filters: ownerFilter(this.options.owner) });
    return containers.map((c) => ({
      id: c.Id,
      sessionId: c.Labels[LABEL.session] ?? '',
      lab: c.Labels[LABEL.lab] ?? '',
      expiresAt: new Date(c.Labels[LABEL.expiresAt] ?? 0),
    }));
  }

  async removeAll(): Promise<number> {
    const filters = ownerFilter(this.options.owner);
    const containers = await this.docker.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => ignoreGone(this.docker.getContainer(c.Id).remove({ force: true, v: true }))));
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    await Promise.all((volumes ?? []).map((v) => ignoreGone(this.docker.getVolume(v.Name).remove())));
    const networks = await this.docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => ignoreGone(this.docker.getNetwork(n.Id).remove())));
    return containers.length;
  }
}

/**
 * Runs a lab's scripts in a sandbox: copies the scenario files and images in,
 * runs setup, checks, the solve script and wrong fixes. Scripts are passed on
 * the command line, never stored in the sandbox, and run with a fixed
 * environment, a time limit and an output cap.
 */
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import type { Lab } from '../../lab-format/load.ts';
import type { ExecResult, Sandbox } from '../sandbox/sandbox.ts';

export interface LabImage {
  /** Path of the `docker save` tar on the server. */
  file: string;
  /** Tag inside the tar (e.g. drydock/lab-base:9588ab7b38e0). */
  tag: string;
  /** Name the lab uses (e.g. drydock/lab-base): tagged `latest` in the sandbox. */
  name: string;
}

export interface CheckResult {
  task: string;
  passed: boolean;
  output: string;
  durationMs: number;
  /** The lab's solution was applied for this task in the session (solutions.ts). */
  shown?: true;
}

const OUTPUT_CAP = 16 * 1024;

/** tar-fs packs into a streamx stream, which pipes like a Node stream. */
const tarOf = (dir: string) => pack(dir) as unknown as Readable;

export class LabRunner {
  private readonly lab: Lab;
  private readonly sandbox: Sandbox;
  private readonly seed: string;

  constructor(lab: Lab, sandbox: Sandbox, seed: string) {
    this.lab = lab;
    this.sandbox = sandbox;
    this.seed = seed;
  }

  /**
   * The text of one of the lab's scripts, with the helpers in front: every
   * `labs/_lib/*.sh` (shared by all labs of its source), then the lab's own `lib.sh` if it has one.
   */
  private script(path: string): string {
    const shared = this.lab.libDir;
    const own = join(this.lab.dir, 'lib.sh');
    const helpers = [
      ...(existsSync(shared)
        ? readdirSync(shared)
            .filter((name) => name.endsWith('.sh'))
            .sort()
            .map((name) => join(shared, name))
        : []),
      ...(existsSync(own) ? [own] : []),
    ];
    return [...helpers, join(this.lab.dir, path)]
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  }

  /**
   * Checks judge with the sandbox's own programs (`as: 'check'`); setup and solve act
   * as the learner would. `args` become the script's `$1`…, e.g. the task id a solve
   * script applies the fix of (docs/writing-labs.md). `background`
   * runs it at the lowest CPU priority in its sandbox (a live check yields to the
   * learner's shell).
   */
  async run(
    path: string,
    timeoutMs: number,
    as: 'shell' | 'check' = 'shell',
    args: readonly string[] = [],
    background = false,
  ): Promise<ExecResult> {
    const seconds = Math.ceil(timeoutMs / 1000);
    // Absolute paths and a fixed environment: a learner's PATH, aliases or shell
    // profile cannot change what a lab script runs.
    return this.sandbox.exec(
      [
        ...(background ? ['/usr/bin/nice', '-n', '19'] : []),
        '/usr/bin/timeout',
        '-k',
        '2',
        String(seconds),
        '/bin/bash',
        '-c',
        this.script(path),
        basename(path),
        ...args,
      ],
      {
        as,
        workdir: this.lab.manifest.workdir,
        env: {
          HOME: '/root',
          LANG: 'C.UTF-8',
          LAB_DIR: this.lab.manifest.workdir,
          DRYDOCK_SEED: this.seed,
          DOCKER_BUILDKIT: '1',
        },
        timeoutMs: timeoutMs + 5000,
        maxOutputBytes: OUTPUT_CAP,
      },
    );
  }

  async copyFiles(): Promise<void> {
    const workdir = this.lab.manifest.workdir;
    const files = join(this.lab.dir, 'files');
    // Through the learner's own tar, not the engine's archive API: the workdir is
    // on a tmpfs that only processes inside the sandbox can see.
    const script = `mkdir -p "$1" && if [ "$2" = yes ]; then tar -x --no-same-owner -C "$1"; fi`;
    const has = existsSync(files);
    const result = await this.sandbox.exec(
      ['/bin/sh', '-c', script, 'copy', workdir, has ? 'yes' : 'no'],
      {
        timeoutMs: 30_000,
        ...(has ? { stdin: tarOf(files) } : {}),
      },
    );
    if (result.exitCode !== 0)
      throw new Error(
        `copying the lab's files to ${workdir} failed (exit ${result.exitCode}): ${result.output.trim()}`,
      );
  }

  async loadImages(images: LabImage[]): Promise<void> {
    for (const image of images) {
      const script = `set -e; docker load -q >/dev/null; docker tag "$1" "$2:latest"; docker rmi -f "$1" >/dev/null`;
      const result = await this.sandbox.exec(
        ['/bin/sh', '-c', script, 'load', image.tag, image.name],
        {
          timeoutMs: 120_000,
          stdin: createReadStream(image.file),
        },
      );
      if (result.exitCode !== 0)
        throw new Error(`loading ${image.name} failed: ${result.output.trim()}`);
    }
  }

  async setup(timeoutMs: number): Promise<void> {
    const result = await this.run(this.lab.manifest.setup, timeoutMs);
    if (result.exitCode !== 0) {
      throw new Error(
        `setup script ${this.lab.manifest.setup} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}):\n${result.output.trim().slice(-2000)}`,
      );
    }
  }

  /**
   * Every task's check (or, for a live check, those that allow it: `live` in
   * lab.yaml; `only`: those tasks), in parallel.
   */
  async check(options: { live?: boolean; only?: readonly string[] } = {}): Promise<CheckResult[]> {
    const timeoutMs = this.lab.manifest.checkTimeout * 1000;
    const tasks = this.lab.manifest.tasks.filter(
      (task) => (!options.live || task.live) && (!options.only || options.only.includes(task.id)),
    );
    return Promise.all(
      tasks.map(async (task) => {
        const started = Date.now();
        const result = await this.run(task.check, timeoutMs, 'check', [], options.live);
        let output = result.output.trim();
        if (result.timedOut || result.exitCode === 124)
          output =
            `${output}\nThe check did not finish within ${this.lab.manifest.checkTimeout} s.`.trim();
        if (result.truncated) output += '\n(output cut)';
        return {
          task: task.id,
          passed: result.exitCode === 0 && !result.timedOut,
          output,
          durationMs: Date.now() - started,
        };
      }),
    );
  }
}

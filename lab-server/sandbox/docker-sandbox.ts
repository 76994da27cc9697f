/**
 * Sandboxes as containers on the outer engine, each with its own Docker engine
 * inside. How much the sandbox may do on the host is the isolation profile's
 * business (sandbox/profiles.ts); this module creates, enters and removes them.
 */
import { randomBytes } from 'node:crypto';
import { type Duplex, PassThrough, type Readable, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import { DEFAULT_SIZE } from '../../protocol/terminal-messages.ts';
import { ignoreGone } from '../docker/engine.ts';
import { LABEL, ownerFilter, PLATFORM } from '../labels.ts';
import { watchSandboxEvents } from './engine-events.ts';
import { followCommand, followEngineEvents } from './inner-engine-events.ts';
import { hostConfigFor, PROFILES, type ProfileName, sandboxEnv } from './profiles.ts';
import { awaitForwarder, forwarderCommand } from './port-forwarder.ts';
import { parseListeningPorts } from './listening-ports.ts';
import { TmuxControl } from './tmux-control.ts';
import type {
  EngineFollower,
  ExecOptions,
  ExecResult,
  FoundSandbox,
  InnerEngineEvent,
  Sandbox,
  SandboxEvent,
  SandboxProvider,
  SandboxSpec,
  ShellInfo,
  Terminal,
  TerminalOptions,
} from './sandbox.ts';
import { demuxLog, explainSandboxDeath, SandboxStartError } from './start-failure.ts';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Checks never look in /usr/local, which the learner can write. */
const CHECK_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * CPU weights (cgroup cpu.shares, v1 and v2 alike through the engine): a warm
 * pool's sandbox setting up in the background gets an eighth of a learner's
 * sandbox's share, so a refill never slows a learner's start or terminal.
 */
const NORMAL_CPU_SHARES = 1024;
const BACKGROUND_CPU_SHARES = 128;

export interface DockerSandboxOptions {
  image: string;
  owner: string;
  profile: ProfileName;
  memoryBytes: number;
  diskBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

/**
 * Every command runs where the learner works (images/sandbox/rootfs/usr/lib/drydock/enter):
 * inside the engine's user namespace under the rootless profile.
 */
const ENTER = '/usr/lib/drydock/enter';
/** Waits inside the sandbox until its engine answers (images/sandbox/rootfs/usr/lib/drydock/await-engine). */
const AWAIT_ENGINE = '/usr/lib/drydock/await-engine';
/** Longest one wait inside the sandbox lasts before the server looks at the container again. */
const AWAIT_SLICE_S = 5;
/** The tmux session that holds the learner's shell (images/sandbox/rootfs/etc/tmux.conf). */
const TMUX_SESSION = 'learner';
/** Exists once the lab is set up; /run is a tmpfs, so a restarted container loses it. */
const READY_MARK = '/run/drydock/ready';
/**
 * The engine's data-root, saved and restored as the engine's root sees it (numeric
 * owners, and the overlay xattrs a rootless engine keeps in the user namespace).
 * Its engine-id goes with it: BuildKit keeps its cache for the engine of that id,
 * and an engine with another finds none of it.
 */
const DATA_ROOT = '/var/lib/docker';
const STATE_TAR = `--numeric-owner --xattrs --xattrs-include='*' -C ${DATA_ROOT}`;
/** start-engine waits for it (images/sandbox/rootfs/usr/lib/drydock/start-engine). */
const STATE_RESTORED = `${DATA_ROOT}/.drydock-state-restored`;
/** Lines of a sandbox's own log that explain its death, in the server's log. */
const LOG_TAIL_LINES = 15;

/** A login bash, restarted in the same pane when it exits (images/sandbox/rootfs/usr/lib/drydock/learner-shell). */
const LEARNER_SHELL = '/usr/lib/drydock/learner-shell';
/** How long removeAll waits for sandboxes whose removal is already under way elsewhere. */
const REMOVAL_WAIT_MS = 30_000;

/**
 * The tmux session that holds terminal `terminal`'s shell: `learner` for the
 * first (as before there were more, so sandboxes of an earlier server keep
 * theirs), `learner-N` for the others. One session a terminal, not a window:
 * a control client follows one session, and each terminal keeps its own size.
 */
export function tmuxSessionOf(terminal = 1): string {
  return terminal === 1 ? TMUX_SESSION : `${TMUX_SESSION}-${terminal}`;
}

/** The terminal number of a tmux session's name, if it is one of the learner's. */
export function terminalOfSession(name: string): number | undefined {
  if (name === TMUX_SESSION) return 1;
  const match = /^learner-([1-9]\d?)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** What `listShells` asks tmux: each session's name and its active pane's foreground program. */
const SHELLS_FORMAT = '#{session_name} #{pane_current_command}';
/** Foreground programs that are the shell itself, waiting for a command. */
const IDLE_PROGRAMS = new Set(['bash', 'sh', 'learner-shell', '']);

/** `tmux list-sessions -F SHELLS_FORMAT`'s lines as the learner's shells, by terminal number. */
export function parseShells(output: string): ShellInfo[] {
  const shells: ShellInfo[] = [];
  for (const line of output.split('\n')) {
    const [name = '', program = ''] = line.trim().split(' ');
    const terminal = terminalOfSession(name);
    if (terminal === undefined) continue;
    shells.push({ terminal, ...(IDLE_PROGRAMS.has(program) ? {} : { running: program }) });
  }
  return shells.sort((a, b) => a.terminal - b.terminal);
}

/**
 * The learner's shell: a login bash inside tmux, created on the first attach and
 * joined by every later one, each terminal a control-mode client (tmux-control.ts).
 * Detaching leaves it (and whatever runs in it) alive.
 */
export function shellCommand(workdir: string, terminal = 1): string[] {
  return [
    ENTER,
    'shell',
    'tmux',
    '-u',
    '-C',
    'new-session',
    '-A',
    '-s',
    tmuxSessionOf(terminal),
    '-c',
    workdir,
    LEARNER_SHELL,
  ];
}

/** What a shell's environment starts from, whichever way its tmux session was made. */
const SHELL_ENV = {
  TERM: 'xterm-256color',
  COLORTERM: 'truecolor',
  LANG: 'C.UTF-8',
  HOME: '/root',
};

function envList(env: Record<string, string> = {}): string[] {
  return Object.entries({ PATH, ...env }).map(([key, value]) => `${key}=${value}`);
}

class DockerSandbox implements Sandbox {
  readonly id: string;
  private readonly docker: Docker;
  private readonly profile: ProfileName;
  /** The terminal startShell attached, until the first openTerminal takes it. */
  private spare: { terminal: Terminal; alive(): boolean } | undefined;
  paused: boolean;
  resumedAt = 0;
  /** The pause or resume under way: they run one at a time, in the order asked. */
  private transition: Promise<void> = Promise.resolve();

  constructor(docker: Docker, id: string, profile: ProfileName, paused = false) {
    this.docker = docker;
    this.id = id;
    this.profile = profile;
    this.paused = paused;
  }

  pause(): Promise<void> {
    if (this.paused) return this.transition;
    // Marked before the engine is asked: whatever wants in meanwhile waits for the
    // pause to finish, then resumes the sandbox, instead of meeting a paused one.
    this.paused = true;
    return this.serially(async () => {
      try {
        await this.docker.getContainer(this.id).pause();
      } catch (error) {
        if (/already paused/i.test((error as Error).message)) return;
        this.paused = false;
        throw error;
      }
    });
  }

  resume(): Promise<void> {
    if (!this.paused) return this.transition;
    this.paused = false;
    return this.serially(async () => {
      try {
        await this.docker.getContainer(this.id).unpause();
      } catch (error) {
        // Not paused (someone ran `docker unpause`), stopped or gone: not paused
        // either way, and whatever comes next meets the engine's own answer.
        const status = (error as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) {
          this.paused = true;
          throw error;
        }
      }
      this.resumedAt = Date.now();
    });
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  /** The container, once it is not paused: the engine refuses to exec in a paused one. */
  private async enterable(): Promise<Docker.Container> {
    if (this.paused) await this.resume();
    else await this.transition;
    return this.docker.getContainer(this.id);
  }

  async exec(cmd: string[], options: ExecOptions): Promise<ExecResult> {
    return this.execAsIs([ENTER, options.as ?? 'shell', ...cmd], options);
  }

  /** Runs `cmd` in the sandbox's own namespaces, as the profile's exec user (not entered). */
  private async execAsIs(cmd: string[], options: ExecOptions): Promise<ExecResult> {
    const container = await this.enterable();
    const exec = await container.exec({
      Cmd: cmd,
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
    this.docker.modem.demuxStream(stream, options.stdout ?? sink, sink);

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
    // The engine ends its side when the command exits; the hijacked socket would stay
    // half-open (one leaked connection per exec) unless we close ours too.
    stream.destroy();
    const info = await exec.inspect();
    return {
      exitCode: timedOut || info.ExitCode === null ? 124 : info.ExitCode,
      output: Buffer.concat(chunks).toString('utf8'),
      timedOut,
      truncated,
    };
  }

  async openPort(port: number, timeoutMs: number): Promise<Duplex> {
    // `check` enters only the learner's user and network namespaces and runs the
    // image's own perl: the learner can neither replace the forwarder nor see it.
    const exec = await (
      await this.enterable()
    ).exec({
      Cmd: [ENTER, 'check', ...forwarderCommand(port)],
      User: PROFILES[this.profile].user,
      Env: envList({ PATH: CHECK_PATH }),
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const raw = await exec.start({ hijack: true, stdin: true });
    return awaitForwarder(port, raw, timeoutMs);
  }

  async listeningPorts(): Promise<number[]> {
    const result = await this.exec(['ss', '-H', '-l', '-t', '-n'], {
      as: 'check',
      timeoutMs: 5_000,
    });
    if (result.exitCode !== 0) throw new Error(`ss failed: ${result.output.trim()}`);
    return parseListeningPorts(result.output);
  }

  async openTerminal(options: TerminalOptions): Promise<Terminal> {
    // The spare terminal's tmux answers a resize only once it runs.
    if (this.paused) await this.resume();
    const spare = this.spare;
    this.spare = undefined;
    const first = (options.terminal ?? 1) === 1;
    if (spare?.alive() && first && !options.afterExit && !options.env && !options.readOnly) {
      await spare.terminal.resize(options.cols, options.rows);
      return spare.terminal;
    }
    if (first) spare?.terminal.detach();
    else if (spare) this.spare = spare;
    return (await this.attach(options)).terminal;
  }

  /**
   * Attaches a terminal now, which starts the shell, and keeps it for the first
   * openTerminal: that one then costs no exec, no process in the sandbox and no
   * round trip to the engine, which is what a class pressing Start at once on
   * warm sandboxes would otherwise queue behind.
   */
  async startShell(workdir: string): Promise<void> {
    this.spare?.terminal.detach();
    this.spare = await this.attach({ ...DEFAULT_SIZE, workdir });
  }

  private async attach(
    options: TerminalOptions,
  ): Promise<{ terminal: Terminal; alive(): boolean }> {
    const exec = await (
      await this.enterable()
    ).exec({
      Cmd: shellCommand(options.workdir, options.terminal),
      User: PROFILES[this.profile].user,
      Env: envList({ ...SHELL_ENV, ...options.env }),
      WorkingDir: options.workdir,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const control = new TmuxControl(stream, options, !options.afterExit, options.readOnly);
    try {
      await control.attached;
    } catch (error) {
      stream.destroy();
      throw error;
    }
    return {
      terminal: {
        stream: control.stream,
        // At once unless paused: a resize then keys, as the page sends them, reach
        // tmux in that order.
        resize: async (cols, rows) => {
          if (this.paused) await this.resume();
          control.resize(cols, rows);
        },
        detach: () => control.detach(),
        paneSize: () => control.paneSize,
        onPaneSize: (listener) => control.onPaneSize(listener),
        allowKeys: (allowed) => control.allowKeys(allowed),
      },
      alive: () => !stream.destroyed && !stream.readableEnded,
    };
  }

  async markReady(): Promise<void> {
    const result = await this.exec(
      ['sh', '-c', `mkdir -p -m 700 ${READY_MARK.replace(/\/[^/]+$/, '')} && touch ${READY_MARK}`],
      { timeoutMs: 10_000 },
    );
    if (result.exitCode !== 0)
      throw new Error(`marking the sandbox ready failed: ${result.output.trim()}`);
  }

  async saveEngineState(out: Writable): Promise<void> {
    // Stopped, not shut down: shutting dockerd down would end the sandbox and its
    // tmpfs with it. Frozen, its databases are as after a crash of an idle engine,
    // which they are built to survive, and nothing changes under tar.
    const script = `set -e; kill -STOP $(pidof dockerd containerd); exec tar -c ${STATE_TAR} .`;
    const result = await this.exec(['/bin/sh', '-c', script], { timeoutMs: 120_000, stdout: out });
    if (result.exitCode !== 0)
      throw new Error(
        `saving the sandbox's engine state failed (exit ${result.exitCode}): ${result.output.trim()}`,
      );
  }

  async restoreEngineState(archive: Readable): Promise<void> {
    const script = `set -e; tar -x ${STATE_TAR}; touch ${STATE_RESTORED}`;
    const result = await this.exec(['/bin/sh', '-c', script], {
      timeoutMs: 120_000,
      stdin: archive,
    });
    if (result.exitCode !== 0)
      throw new Error(
        `restoring the lab's engine state failed (exit ${result.exitCode}): ${result.output.trim()}`,
      );
  }

  async isReady(): Promise<boolean> {
    if (!(await this.inspect()).running) return false;
    const result = await this.exec(['test', '-f', READY_MARK], { timeoutMs: 10_000 }).catch(
      () => undefined,
    );
    return result?.exitCode === 0;
  }

  async detachTerminals(): Promise<void> {
    // Every terminal's session; `=` makes tmux match the name exactly, not as a prefix.
    const script = `for s in $(tmux list-sessions -F '#{session_name}'); do tmux detach-client -s "=$s"; done`;
    await this.exec(['/bin/sh', '-c', script], { timeoutMs: 10_000 }).catch(() => undefined);
  }

  async listShells(): Promise<ShellInfo[]> {
    const result = await this.exec(['tmux', 'list-sessions', '-F', SHELLS_FORMAT], {
      timeoutMs: 10_000,
    });
    // No tmux server (no shell was ever started, or the learner killed it): no shells.
    if (result.exitCode !== 0) {
      if (/no server running|error connecting/i.test(result.output)) return [];
      throw new Error(`listing the learner's shells failed: ${result.output.trim()}`);
    }
    return parseShells(result.output);
  }

  async openShell(terminal: number, workdir: string): Promise<void> {
    const result = await this.exec(
      ['tmux', 'new-session', '-d', '-s', tmuxSessionOf(terminal), '-c', workdir, LEARNER_SHELL],
      { timeoutMs: 10_000, env: SHELL_ENV, workdir },
    );
    if (result.exitCode !== 0 && !/duplicate session/.test(result.output))
      throw new Error(`starting the shell of terminal ${terminal} failed: ${result.output.trim()}`);
  }

  async closeShell(terminal: number): Promise<void> {
    const result = await this.exec(['tmux', 'kill-session', '-t', `=${tmuxSessionOf(terminal)}`], {
      timeoutMs: 10_000,
    });
    // Gone already (the learner ended it, or a second close): what was asked for.
    if (result.exitCode !== 0 && !/can't find session|no server running/i.test(result.output))
      throw new Error(`ending the shell of terminal ${terminal} failed: ${result.output.trim()}`);
  }

  async cpuSeconds(): Promise<number> {
    // One-shot stats: the engine answers at once instead of sampling for a second.
    // It reads the container's cgroup, whichever layout (v1 or v2) the host has.
    const stats = await this.docker
      .getContainer(this.id)
      .stats({ stream: false, 'one-shot': true } as { stream: false });
    return stats.cpu_stats.cpu_usage.total_usage / 1e9;
  }

  async raisePriority(): Promise<void> {
    await this.docker.getContainer(this.id).update({ CpuShares: NORMAL_CPU_SHARES });
  }

  async inspect(): Promise<{ running: boolean; oomKilled: boolean }> {
    try {
      const info = await this.docker.getContainer(this.id).inspect();
      return { running: info.State.Running, oomKilled: info.State.OOMKilled };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404)
        return { running: false, oomKilled: false };
      throw error;
    }
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // One exec that waits in the sandbox and returns the moment the engine answers
      // (it looks every 20 ms), in slices: between two, a sandbox that cannot start
      // on this host (it exits within a second) is explained at once, not when the
      // timeout is up. Its death also ends the exec, so the next look is immediate.
      const seconds = Math.min(
        AWAIT_SLICE_S,
        Math.max(1, Math.ceil((deadline - Date.now()) / 1000)),
      );
      const started = Date.now();
      const result = await this.execAsIs([AWAIT_ENGINE, String(seconds)], {
        env: { PATH: CHECK_PATH },
        timeoutMs: seconds * 1000 + 10_000,
      }).catch((error: Error) => ({ exitCode: -1, output: error.message }));
      if (result.exitCode === 0) return;
      await this.throwIfStopped();
      if (Date.now() >= deadline) {
        throw new Error(
          `the sandbox's Docker engine did not answer within ${timeoutMs / 1000} s: ${result.output.trim()}`,
        );
      }
      // An exec the engine refused outright is not tried again at once.
      if (Date.now() - started < 100) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async throwIfStopped(): Promise<void> {
    const container = this.docker.getContainer(this.id);
    let state: { Running: boolean; ExitCode: number; OOMKilled: boolean };
    try {
      state = (await container.inspect()).State;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      throw new SandboxStartError('the sandbox’s container was removed while it started', []);
    }
    if (state.Running) return;
    const log = await container
      .logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES })
      .then((buffer) => demuxLog(buffer).split('\n').filter(Boolean).slice(-LOG_TAIL_LINES))
      .catch((error: Error) => [`(its log could not be read: ${error.message})`]);
    throw new SandboxStartError(
      explainSandboxDeath({ exitCode: state.ExitCode, oomKilled: state.OOMKilled }, log),
      log,
    );
  }

  followEngine(onChange: (event: InnerEngineEvent) => void): EngineFollower {
    return followEngineEvents(async () => {
      const exec = await (
        await this.enterable()
      ).exec({
        Cmd: [ENTER, 'check', ...followCommand()],
        User: PROFILES[this.profile].user,
        Env: envList({ PATH: CHECK_PATH }),
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const output = new PassThrough();
      this.docker.modem.demuxStream(stream, output, new PassThrough().resume());
      const end = () => output.end();
      stream.once('end', end);
      stream.once('close', end);
      stream.once('error', end);
      // Closing our side ends the exec's connection; curl goes at its next write.
      return { output, stop: () => stream.destroy() };
    }, onChange);
  }

  async remove(): Promise<void> {
    this.spare?.terminal.detach();
    this.spare = undefined;
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
    // Ownership and the sandbox's own id only: which session it serves is the
    // store's to say, from the moment it is claimed.
    const sandboxId = `sb_${randomBytes(9).toString('base64url')}`;
    const labels = {
      [LABEL.platform]: PLATFORM,
      [LABEL.owner]: this.options.owner,
      [LABEL.sandbox]: sandboxId,
      [LABEL.lab]: spec.lab,
      [LABEL.createdAt]: spec.createdAt.toISOString(),
      [LABEL.seed]: spec.seed,
      ...(spec.labVersion ? { [LABEL.labVersion]: spec.labVersion } : {}),
    };
    const name = `drydock-${this.options.owner}-${sandboxId}`;
    const { profile } = this.options;
    try {
      const container = await this.docker.createContainer({
        name,
        Image: this.options.image,
        Hostname: 'sandbox',
        Labels: labels,
        Env: envList({
          ...sandboxEnv(profile, this.options),
          ...(spec.restoresEngineState ? { DRYDOCK_ENGINE_STATE: 'wait' } : {}),
        }),
        HostConfig: {
          ...hostConfigFor(profile, this.options),
          ...(spec.priority === 'background' ? { CpuShares: BACKGROUND_CPU_SHARES } : {}),
        },
      });
      await container.start();
      return new DockerSandbox(this.docker, container.id, profile);
    } catch (error) {
      await ignoreGone(this.docker.getContainer(name).remove({ force: true, v: true }));
      throw error;
    }
  }

  async list(): Promise<FoundSandbox[]> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: ownerFilter(this.options.owner),
    });
    const keys = ['lab', 'createdAt', 'seed', 'labVersion'] as const;
    const labelOf = {
      lab: LABEL.lab,
      createdAt: LABEL.createdAt,
      seed: LABEL.seed,
      labVersion: LABEL.labVersion,
    };
    return containers.map((c) => ({
      id: c.Id,
      // A paused sandbox runs: it is frozen, not stopped.
      running: c.State === 'running' || c.State === 'paused',
      labels: Object.fromEntries(
        keys
          .filter((k) => c.Labels[labelOf[k]] !== undefined)
          .map((k) => [k, c.Labels[labelOf[k]]]),
      ),
    }));
  }

  async adopt(id: string): Promise<Sandbox> {
    // A sandbox keeps the profile it was created with, even if the server's changed since.
    const info = await this.docker.getContainer(id).inspect();
    const profile = info.Config.Env.includes('DRYDOCK_PROFILE=dind') ? 'dind' : 'rootless';
    // Paused by the previous run (its learner was away): the first use resumes it.
    return new DockerSandbox(this.docker, id, profile, info.State.Paused);
  }

  async removeAll(keep: ReadonlySet<string> = new Set()): Promise<number> {
    const filters = ownerFilter(this.options.owner);
    const listed = async () =>
      (await this.docker.listContainers({ all: true, filters })).map((c) => c.Id);
    const containers = (await listed()).filter((id) => !keep.has(id));
    // A removal someone else started answers 409 at once, while the container is
    // still there: removed must mean gone (the doctor's probe is checked for it).
    // Only what was listed first: a sandbox created meanwhile is not this call's.
    const deadline = Date.now() + REMOVAL_WAIT_MS;
    for (let left = containers; left.length > 0 && Date.now() < deadline;) {
      await Promise.all(
        left.map((id) => ignoreGone(this.docker.getContainer(id).remove({ force: true, v: true }))),
      );
      const still = new Set(await listed());
      left = left.filter((id) => still.has(id));
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Sandboxes have no volumes now; earlier versions' leftovers go too (one in use answers 409, which ignoreGone lets be).
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    await Promise.all(
      (volumes ?? []).map((v) => ignoreGone(this.docker.getVolume(v.Name).remove())),
    );
    const networks = await this.docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => ignoreGone(this.docker.getNetwork(n.Id).remove())));
    return containers.length;
  }

  watch(
    onEvent: (event: SandboxEvent) => void,
    onConnected: () => void,
  ): { close(): void; drop(): void } {
    return watchSandboxEvents(this.docker, ownerFilter(this.options.owner), onEvent, onConnected);
  }
}

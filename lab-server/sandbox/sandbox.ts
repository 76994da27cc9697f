/**
 * What the session layer needs from a sandbox. The dockerode implementation is
 * in docker-sandbox.ts; nothing outside sandbox/ and images/ talks to the engine.
 */
import type { Duplex, Readable, Writable } from 'node:stream';

export interface ExecResult {
  exitCode: number;
  /** stdout and stderr interleaved, cut at the output cap. */
  output: string;
  timedOut: boolean;
  truncated: boolean;
}

export interface ExecOptions {
  /**
   * `shell` (default) runs where the learner works; `check` runs with the learner's
   * engine and network but the sandbox's own programs and files, which the learner
   * cannot replace (see /usr/lib/drydock/enter in the sandbox image).
   */
  as?: 'shell' | 'check';
  env?: Record<string, string>;
  workdir?: string;
  timeoutMs: number;
  /** Fed to the command's standard input, then closed. */
  stdin?: Readable;
  /** Bytes of output kept; the rest is dropped (and `truncated` set). */
  maxOutputBytes?: number;
  /** Where standard output goes, unkept (only standard error is collected then). */
  stdout?: Writable;
}

export interface Terminal {
  /**
   * Raw terminal bytes both ways: first what puts a terminal where the shell's
   * screen is (its recent history, screen, cursor and modes), then every byte the
   * shell writes. Pausing it stops reading from the shell (back-pressure).
   */
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Detaches this terminal from the learner's shell, which keeps running; closes the stream. */
  detach(): void;
  /** The shell's screen size: now (once attached), and at each change (a learner's resize). */
  paneSize(): { cols: number; rows: number } | undefined;
  onPaneSize(listener: (size: { cols: number; rows: number }) => void): () => void;
  /**
   * For a read-only terminal (a watcher's): whether its input reaches the shell
   * after all, while the learner lets the watcher type (a take-over).
   */
  allowKeys(allowed: boolean): void;
}

/** A change the sandbox's own engine reported (its `docker events`), as far as live checks care. */
export interface InnerEngineEvent {
  /** container, image, volume, network… */
  type: string;
  /** create, start, die, destroy, tag, untag, delete, prune… */
  action: string;
}

/** Following a sandbox's own engine; `close()` stops it (idempotent). */
export interface EngineFollower {
  close(): void;
}

/** What a sandbox is made for, kept in its labels; the session it serves is the store's to say. */
export interface SandboxSpec {
  lab: string;
  createdAt: Date;
  /** Varies the scenario (names, secrets) per sandbox: no two learners share one. */
  seed: string;
  /** The lab's version (labs/catalog.ts) it is set up from; a warm sandbox of another is replaced. */
  labVersion?: string;
  /** `background`: a warm pool's sandbox, which yields the CPU to learners' until it is claimed. */
  priority?: 'background';
  /** Its engine starts only once `restoreEngineState` has unpacked a prepared state into it. */
  restoresEngineState?: boolean;
}

/** A sandbox found in the engine, with whatever its labels said (a broken one may lack some). */
export interface FoundSandbox {
  id: string;
  running: boolean;
  labels: Partial<Record<'lab' | 'createdAt' | 'seed' | 'labVersion', string>>;
}

/** Something happened to a sandbox container in the outer engine. */
export interface SandboxEvent {
  containerId: string;
  action: 'die' | 'oom' | 'destroy';
}

export interface TerminalOptions {
  cols: number;
  rows: number;
  workdir: string;
  env?: Record<string, string>;
  /** The previous shell exited: draw the new one below what the terminal shows, without resetting it. */
  afterExit?: boolean;
  /** A watcher's view: no input reaches the shell, and its size never changes the shell's screen. */
  readOnly?: boolean;
  /** Which of the learner's terminals (protocol/terminals.ts); 1 when not given. */
  terminal?: number;
}

/** One of the learner's shells as the sandbox's tmux holds it. */
export interface ShellInfo {
  terminal: number;
  /** The foreground program when it is not the shell (what closing would end). */
  running?: string;
}

export interface Sandbox {
  readonly id: string;
  /**
   * Whether its processes are frozen (the engine's pause): a paused sandbox uses
   * no CPU, keeps its memory, and resumes before anything enters it (every method
   * that runs a command, opens a port or a terminal resumes it first).
   */
  readonly paused: boolean;
  /** When it last resumed (ms since the epoch); 0 if it never did. */
  readonly resumedAt: number;
  /** Freezes every process in the sandbox; idempotent. */
  pause(): Promise<void>;
  /** Thaws it; idempotent, and waits for a pause in progress first. */
  resume(): Promise<void>;
  /** Runs a command without a TTY and collects its output. */
  exec(cmd: string[], options: ExecOptions): Promise<ExecResult>;
  /**
   * A TCP connection to 127.0.0.1:`port` where the learner works (their shell's and
   * their engine's published ports), carried by the engine's exec API: the sandbox
   * has no network. Rejects with PortClosedError (port-forwarder.ts) when nothing
   * listens there.
   */
  openPort(port: number, timeoutMs: number): Promise<Duplex>;
  /** The TCP ports something listens on where the learner works, ascending. */
  listeningPorts(): Promise<number[]>;
  /** Attaches a terminal to the learner's login shell, starting it if it does not run (it survives detaching). */
  openTerminal(options: TerminalOptions): Promise<Terminal>;
  /** Resolves when the sandbox's own engine answers. */
  waitUntilReady(timeoutMs: number): Promise<void>;
  /** Marks the lab as set up, inside the sandbox: a restarted server adopts only marked sandboxes. */
  markReady(): Promise<void>;
  /**
   * Starts the learner's login shell ahead of the first terminal, which then only
   * takes it over (a burst of Starts on warm sandboxes runs no shells then).
   */
  startShell(workdir: string): Promise<void>;
  /**
   * Writes the engine's data-root (images, build cache, volumes) to `out` as a tar,
   * for other sandboxes to start from. It stops the engine first, so this sandbox
   * is of no further use.
   */
  saveEngineState(out: Writable): Promise<void>;
  /** Unpacks a saved engine state into a sandbox created with `restoresEngineState`; its engine then starts. */
  restoreEngineState(archive: Readable): Promise<void>;
  /** Whether the sandbox runs, answers and was marked ready. */
  isReady(): Promise<boolean>;
  /** Detaches every terminal client from the learner's shells (stale ones after a server restart). */
  detachTerminals(): Promise<void>;
  /** The learner's shells that run now, by terminal number. */
  listShells(): Promise<ShellInfo[]>;
  /** Starts the shell of terminal `terminal` (another of the learner's), without attaching to it. */
  openShell(terminal: number, workdir: string): Promise<void>;
  /** Ends the shell of terminal `terminal` and what runs in it; its terminals' streams end. */
  closeShell(terminal: number): Promise<void>;
  /** Whether the container still runs, and whether the kernel's OOM killer ended it. */
  inspect(): Promise<{ running: boolean; oomKilled: boolean }>;
  /** Gives a background sandbox (a claimed warm one) a learner's share of the CPU. */
  raisePriority(): Promise<void>;
  /** CPU time the whole sandbox (its engine and everything in it) has used so far, in seconds. */
  cpuSeconds(): Promise<number>;
  /**
   * Follows the changes of the sandbox's own engine (containers, images, volumes,
   * networks created, started, ended or removed), as the check user, reopening
   * the stream while the sandbox runs; for live checks.
   */
  followEngine(onChange: (event: InnerEngineEvent) => void): EngineFollower;
  /** Removes the sandbox and its engine's data; idempotent. */
  remove(): Promise<void>;
}

export interface SandboxProvider {
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Sandboxes of this owner that exist in the engine (to adopt or remove after a restart). */
  list(): Promise<FoundSandbox[]>;
  /** The sandbox of a container found by `list()`. */
  adopt(id: string): Promise<Sandbox>;
  /** Removes every container, volume and network of this owner except the sandboxes in `keep`. */
  removeAll(keep?: ReadonlySet<string>): Promise<number>;
  /** Follows the engine's events for this owner's sandboxes; reconnects a lost stream and calls `onConnected` each time. */
  watch(
    onEvent: (event: SandboxEvent) => void,
    onConnected: () => void,
  ): { close(): void; /** for tests: drops the stream like a network fault */ drop(): void };
}

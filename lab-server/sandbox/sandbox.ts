/**
 * What the session layer needs from a sandbox. The dockerode implementation is
 * in docker-sandbox.ts; nothing outside sandbox/ and images/ talks to the engine.
 */
import type { Duplex, Readable } from 'node:stream';

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
}

export interface Terminal {
  /** Raw TTY bytes both ways. Pausing it stops reading from the shell (back-pressure). */
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
}

export interface SandboxSpec {
  sessionId: string;
  lab: string;
  expiresAt: Date;
}

export interface Sandbox {
  readonly id: string;
  /** Runs a command without a TTY and collects its output. */
  exec(cmd: string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts an interactive login shell on a TTY. */
  openTerminal(options: { cols: number; rows: number; workdir: string; env?: Record<string, string> }): Promise<Terminal>;
  /** Resolves when the sandbox's own engine answers. */
  waitUntilReady(timeoutMs: number): Promise<void>;
  /** Removes the sandbox and its engine's data; idempotent. */
  remove(): Promise<void>;
}

export interface SandboxProvider {
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Sandboxes of this owner that exist in the engine (for cleanup after a crash). */
  list(): Promise<{ id: string; sessionId: string; lab: string; expiresAt: Date }[]>;
  /** Removes every container and volume of this owner. */
  removeAll(): Promise<number>;
}

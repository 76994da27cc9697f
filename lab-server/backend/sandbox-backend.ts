/**
 * The sandbox backend: what the session layer needs from the machine that runs
 * sandboxes (the provider, the lab images to load, which labs this host cannot
 * run) and whether labs are available yet. The Docker implementation is
 * docker-backend.ts; tests inject one of their own (test/support/fake-sandbox.ts).
 */
import type { Lab } from '../../lab-format/load.ts';
import type { SandboxProvider } from '../sandbox/sandbox.ts';
import type { LabImage } from '../sessions/lab-runner.ts';

export interface LabsStatus {
  available: boolean;
  state: 'checking' | 'preparing' | 'ready' | 'unavailable';
  reason?: string;
  /** Labs this server cannot run, slug → why (a missing requirement of the profile). */
  unsupported?: Record<string, string>;
}

/** What a prepared backend hands the session layer. */
export interface PreparedBackend {
  provider: SandboxProvider;
  /** The saved images a lab loads into its sandbox. */
  imagesFor(lab: Lab): Promise<LabImage[]>;
  /**
   * The saved engine state every sandbox of the lab starts from (what its prepare
   * script left, images included), made on the first ask for each version of the
   * lab; none for a lab without a prepare script.
   */
  engineStateFor(lab: Lab, progress?: (message: string) => void): Promise<string | undefined>;
}

export interface SandboxBackend {
  readonly status: LabsStatus;
  /**
   * Prepares in the background and resolves at once. `onPrepared` runs once the
   * backend is prepared; labs are `ready` only after it resolves, and a failure
   * in it counts as a failed preparation (said, then retried).
   */
  start(onPrepared: (prepared: PreparedBackend) => Promise<void>): void;
  /** Resolves when labs are ready or known to be unavailable (for tests and benchmarks). */
  whenSettled(timeoutMs?: number): Promise<LabsStatus>;
  close(): Promise<void>;
}

/** Polls `status` until it settles; shared by backends. */
export async function settled(
  backend: { readonly status: LabsStatus },
  timeoutMs: number,
): Promise<LabsStatus> {
  const deadline = Date.now() + timeoutMs;
  while (
    (backend.status.state === 'checking' || backend.status.state === 'preparing') &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return backend.status;
}

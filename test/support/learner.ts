/**
 * Acting as a hostile learner: commands run through the same door as the
 * learner's terminal (`/usr/lib/drydock/enter shell`, root in the sandbox's user
 * namespace, no capability on the host), never through `docker exec` as root.
 */
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import type { ExecResult } from '../../lab-server/sandbox/sandbox.ts';
import type { Session } from '../../lab-server/sessions/session.ts';
import type { TestPlatform } from './platform.ts';
import { TerminalClient } from './terminal-client.ts';

/** Runs a bash script where the learner works (the terminal's namespaces and rights). */
export async function asLearner(
  session: Session,
  script: string,
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ExecResult> {
  assert.ok(
    session.sandbox,
    `session ${session.id} has no sandbox (state ${session.state}: ${session.message})`,
  );
  return session.sandbox.exec(['/bin/bash', '-c', script], {
    as: 'shell',
    env: { HOME: '/root', LANG: 'C.UTF-8', ...options.env },
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputBytes: 256 * 1024,
  });
}

/**
 * The most a learner's inner engine grants: every capability, no seccomp or
 * AppArmor, the sandbox's PID and network namespaces and its whole root file
 * system at /host. The lab-base image (busybox) is what labs load.
 */
export const PRIVILEGED_RUN =
  'docker run --rm -i --cap-add ALL --security-opt seccomp=unconfined --security-opt apparmor=unconfined --pid=host --net=host -v /:/host drydock/lab-base';

/** Runs a busybox sh script inside a maximally privileged inner container (see PRIVILEGED_RUN). */
export async function inPrivilegedContainer(
  session: Session,
  script: string,
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ExecResult> {
  const env = { ...options.env, ATTACK: script };
  const pass = Object.keys(env)
    .map((name) => `-e ${name}`)
    .join(' ');
  return asLearner(
    session,
    `${PRIVILEGED_RUN.replace('docker run', `docker run ${pass}`)} sh -c "$ATTACK"`,
    { ...options, env },
  );
}

/** Starts sessions of a lab and waits until each is ready. */
export async function readySessions(
  platform: TestPlatform,
  lab: string,
  count: 1,
): Promise<[Session]>;
export async function readySessions(
  platform: TestPlatform,
  lab: string,
  count: 2,
): Promise<[Session, Session]>;
export async function readySessions(
  platform: TestPlatform,
  lab: string,
  count: number,
): Promise<Session[]> {
  const labDef = platform.app.labs.lab(lab);
  assert.ok(labDef, `lab ${lab} is not available`);
  const sessions = Array.from({ length: count }, () => platform.sessions.create(labDef));
  await Promise.all(sessions.map((s) => s.provisioned));
  for (const s of sessions)
    assert.equal(s.state, 'ready', `session did not start: ${s.message}\n${s.failure ?? ''}`);
  return sessions;
}

export async function openTerminal(
  platform: TestPlatform,
  session: Session,
): Promise<TerminalClient> {
  const terminal = TerminalClient.open(platform.url, session.id, session.token!);
  await terminal.waitForControl('ready', 60_000);
  // tmux's redraw of a shell idle for minutes may pad the prompt's line with a space.
  await terminal.waitForOutput(/[#$] +$/m, 30_000);
  return terminal;
}

/** Free bytes on the host's file system that holds the outer engine's data. */
export function hostFreeBytes(path = '/var/lib/docker'): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

/** The lab server still answers, promptly. */
export async function assertServerAnswers(platform: TestPlatform, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  const res = await fetch(`${platform.url}/api/status`, { signal: AbortSignal.timeout(timeoutMs) });
  assert.equal(res.status, 200, 'GET /api/status');
  await res.json();
  assert.ok(Date.now() - started < timeoutMs, '/api/status answered in time');
}

/** The neighbour's sandbox still runs commands and its engine still answers. */
export async function assertNeighbourWorks(neighbour: Session): Promise<void> {
  const result = await asLearner(
    neighbour,
    'echo "sum=$((40+2))"; docker version --format "engine={{.Server.Version}}"',
    { timeoutMs: 20_000 },
  );
  assert.equal(result.exitCode, 0, `the neighbour's sandbox failed: ${result.output}`);
  assert.match(result.output, /sum=42/);
  assert.match(result.output, /engine=\d+\./);
}

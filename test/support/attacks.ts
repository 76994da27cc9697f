/**
 * Resource-exhaustion attacks a hostile learner can run, each bounded in time,
 * shared by test/adversarial/exhaustion.test.ts and scripts/bench-neighbour.ts.
 * Each returns what it observed inside the sandbox; the host's view of the
 * sandbox's own limits (OOM kills, refused forks, CPU time) comes from its
 * cgroup (test/support/cgroup.ts reads v1 and v2).
 */
import type { Session } from '../../lab-server/sessions/session.ts';
import { containerCgroup } from './cgroup.ts';
import { asLearner } from './learner.ts';
import type { TestPlatform } from './platform.ts';
import Docker from 'dockerode';
import WebSocket from 'ws';
import { TerminalClient } from './terminal-client.ts';

const MiB = 1024 ** 2;

/** Matches when both patterns occur, in either order (stdout and stderr interleave freely). */
const both = (a: RegExp, b: RegExp) =>
  new RegExp(`(?=[\\s\\S]*(?:${a.source}))(?=[\\s\\S]*(?:${b.source}))`);

/** The server's limits while attacks run: small, so that each attack reaches them quickly. */
export const ATTACK_ENV = {
  DRYDOCK_IDLE_TIMEOUT: '30m',
  DRYDOCK_SANDBOX_MEMORY: '384m',
  DRYDOCK_SANDBOX_DISK: '512m',
  DRYDOCK_SANDBOX_PIDS: '512',
  DRYDOCK_SANDBOX_CPUS: '1',
};
export const ATTACK_LIMITS = { memoryBytes: 384 * MiB, diskBytes: 512 * MiB, pidsLimit: 512 };

export interface AttackContext {
  platform: TestPlatform;
  attacker: Session;
  limits: { memoryBytes: number; diskBytes: number; pidsLimit: number };
}

export interface Attack {
  name: string;
  /** Runs the attack to its end (bounded) and returns what the attacker saw. */
  run(ctx: AttackContext): Promise<string>;
  /** What the attacker must have seen: its own limit hit. */
  contained: RegExp;
  /** Which counter of the sandbox's own cgroup must rise: the host's view of the limit that held. */
  hostEvidence?: 'oomKills' | 'forkFailures';
  /** Whether the attacker's sandbox is likely unusable afterwards (the caller starts a fresh one). */
  breaksSandbox?: boolean;
}

/** Fills one writable place with a file bigger than its cap, reports the error, removes the file. */
const fill = (place: string, bytes: number) =>
  `mkdir -p ${place}/.fill && head -c ${bytes} /dev/zero > ${place}/.fill/big; echo "fill-${place}-rc=$?"; df -h ${place} | tail -1; rm -rf ${place}/.fill`;

/** Creates empty files until the inode cap (bash builtins: no fork per file). */
const inodes = (place: string, count: number) =>
  `mkdir -p ${place}/.inodes && cd ${place}/.inodes && for ((i = 0; i < ${count}; i++)); do : > f$i || { echo "inodes-${place}-stopped-at=$i"; break; }; done 2>&1 | tail -2; cd /; rm -rf ${place}/.inodes; echo "inodes-${place}-done"`;

export const ATTACKS: Attack[] = [
  {
    name: 'CPU hog (4 busy loops, 10 s)',
    run: async ({ attacker }) =>
      (
        await asLearner(
          attacker,
          `for i in 1 2 3 4; do timeout 10 sh -c 'while :; do :; done' & done; wait; echo "cpu-hog-done"`,
          { timeoutMs: 30_000 },
        )
      ).output,
    contained: /cpu-hog-done/,
  },
  {
    name: 'memory bomb (tail /dev/zero)',
    run: async ({ attacker }) =>
      (
        await asLearner(attacker, `timeout 60 tail /dev/zero; echo "memory-bomb-rc=$?"`, {
          timeoutMs: 90_000,
        })
      ).output,
    // 137: SIGKILL from the OOM killer of the sandbox's own memory cgroup (124 would be our timeout).
    contained: /memory-bomb-rc=137/,
    hostEvidence: 'oomKills',
  },
  {
    name: 'disk fill: /root (learner’s home and the inner engine’s data)',
    run: async ({ attacker }) =>
      (await asLearner(attacker, fill('/root', 256 * MiB + 64 * MiB), { timeoutMs: 60_000 }))
        .output,
    contained: both(/No space left on device/, /fill-\/root-rc=1/),
  },
  {
    name: 'disk fill: /tmp',
    run: async ({ attacker, limits }) =>
      (
        await asLearner(
          attacker,
          fill('/tmp', Math.max(512 * MiB, limits.diskBytes / 4) + 64 * MiB),
          { timeoutMs: 60_000 },
        )
      ).output,
    contained: both(/No space left on device/, /fill-\/tmp-rc=1/),
  },
  {
    name: 'disk fill: /var/lib/docker',
    run: async ({ attacker, limits }) =>
      (
        await asLearner(attacker, fill('/var/lib/docker', limits.diskBytes + 64 * MiB), {
          timeoutMs: 60_000,
        })
      ).output,
    contained: both(/No space left on device/, /fill-\/var\/lib\/docker-rc=1/),
  },
  {
    name: 'disk fill: an inner container’s volume',
    run: async ({ attacker }) =>
      (
        await asLearner(
          attacker,
          `docker run --rm -v drydock-fill:/data drydock/lab-base sh -c 'dd if=/dev/zero of=/data/big bs=1M count=2048; echo "volume-rc=$?"'; docker volume rm -f drydock-fill >/dev/null`,
          { timeoutMs: 90_000 },
        )
      ).output,
    contained: both(/No space left on device/, /volume-rc=1/),
  },
  {
    name: 'disk fill: an inner container’s own layer',
    run: async ({ attacker }) =>
      (
        await asLearner(
          attacker,
          `docker run --rm drydock/lab-base sh -c 'dd if=/dev/zero of=/big bs=1M count=2048; echo "layer-rc=$?"'`,
          { timeoutMs: 90_000 },
        )
      ).output,
    contained: both(/No space left on device/, /layer-rc=1/),
  },
  {
    name: 'inode exhaustion: /tmp and /root',
    run: async ({ attacker }) =>
      (
        await asLearner(attacker, `${inodes('/tmp', 70_000)}; ${inodes('/root', 70_000)}`, {
          timeoutMs: 120_000,
        })
      ).output,
    contained: both(
      /No space left on device/,
      /inodes-\/tmp-stopped-at=\d+[\s\S]*inodes-\/root-stopped-at=\d+/,
    ),
  },
  {
    name: 'output flood to the terminal (yes, 8 s)',
    run: async ({ platform, attacker }) => {
      // A lean client (counts, acknowledges, keeps only the tail): TerminalClient keeps the
      // whole output and strips it on every look, which would stall this process — and the
      // lab server that runs in it — by itself.
      const ws = new WebSocket(
        `${platform.url.replace(/^http/, 'ws')}/api/sessions/${attacker.id}/terminal?token=${encodeURIComponent(attacker.token!)}`,
      );
      let received = 0;
      let tail = '';
      let ready = false;
      ws.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) {
          if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'ready')
            ready = true;
          return;
        }
        received += data.length;
        tail = (tail + data.toString('latin1')).slice(-4096);
        ws.send(JSON.stringify({ type: 'ack', bytes: data.length }));
      });
      const until = async (predicate: () => boolean, what: string, ms: number) => {
        const deadline = Date.now() + ms;
        while (!predicate()) {
          if (Date.now() > deadline) throw new Error(`flood: timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      try {
        // The shell answers (a prompt in the restored screen may be followed by cursor moves).
        await until(() => ready, 'the terminal', 60_000);
        ws.send(Buffer.from('echo flood-"ready"\r'));
        await until(() => tail.includes('flood-ready'), 'the shell', 30_000);
        ws.send(Buffer.from('yes drydock-flood\r'));
        await new Promise((r) => setTimeout(r, 8000));
        const flooded = received;
        ws.send(Buffer.from('\x03'));
        ws.send(Buffer.from('echo flood-"stopped"\r'));
        await until(() => tail.includes('flood-stopped'), 'the shell after Ctrl-C', 30_000);
        return `flood-bytes=${flooded}`;
      } finally {
        ws.close();
      }
    },
    contained: /flood-bytes=[1-9]\d{5,}/,
  },
  {
    name: '200 terminals on one session',
    run: async ({ platform, attacker }) => {
      const clients = Array.from({ length: 200 }, () =>
        TerminalClient.open(platform.url, attacker.id, attacker.token!),
      );
      try {
        const deadline = Date.now() + 90_000;
        const settled = (c: TerminalClient) =>
          c.closeCode !== undefined ||
          c.control.some((m) => m.type === 'ready' || m.type === 'error');
        while (!clients.every(settled) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 200));
        const ready = clients.filter((c) => c.control.some((m) => m.type === 'ready')).length;
        const codes = new Map<string, number>();
        for (const c of clients.filter((c) => c.closeCode !== undefined)) {
          const key = `${c.closeCode} ${c.closeReason}`;
          codes.set(key, (codes.get(key) ?? 0) + 1);
        }
        const refused = [...codes].map(([k, n]) => `${n}× ${k}`).join('; ');
        return `terminals-ready=${ready} pending=${clients.filter((c) => !settled(c)).length} closed=[${refused}]`;
      } finally {
        for (const c of clients) c.close();
      }
    },
    contained: /terminals-ready=\d+/,
  },
  {
    name: 'disk fill: /run (the learner’s copy-up tmpfs, no size of its own)',
    // rootlesskit gives the learner's mount namespace fresh tmpfs mounts for /run and
    // /etc (--copy-up) without a size: only the sandbox's memory cgroup caps them, and
    // tmpfs pages cannot be reclaimed, so the OOM killer ends processes in the sandbox.
    run: async ({ attacker, limits }) => {
      const cgroup = await containerCgroup(attacker.sandbox!.id);
      const oomBefore = cgroup.oomKills();
      const result = await asLearner(
        attacker,
        `df -h /run | tail -1; ${fill('/run', limits.memoryBytes + limits.diskBytes + 128 * MiB)}`,
        { timeoutMs: 90_000 },
      ).catch((error: Error) => ({ output: `exec failed: ${error.message}` }));
      const oomAfter = cgroup.oomKills();
      // What the platform makes of it (docs/threat-model.md item 6: no session ends silently). The OOM
      // killer may end the sandbox's init, and with it the container (whose cgroup then goes away).
      await new Promise((r) => setTimeout(r, 3000));
      // When the OOM killer ends the sandbox's init, the platform sees the container die and
      // removes it, ending the session with a reason.
      const sandbox = await new Docker()
        .getContainer(attacker.sandbox!.id)
        .inspect()
        .then(({ State: s }) => `running=${s.Running} oomkilled=${s.OOMKilled} exit=${s.ExitCode}`)
        .catch(() => 'removed by the platform');
      return `${result.output}\nhost cgroup oom kills ${oomBefore} → ${oomAfter}; sandbox ${sandbox}; session 3 s later: ${attacker.state}${attacker.endReason ? `, reason ${attacker.endReason}` : ''} (${attacker.message})`;
    },
    // Either the write fails, or the sandbox's own OOM killer ends processes in it (counted by its cgroup, or
    // reported by the engine when it was the sandbox's init and the cgroup is gone).
    contained:
      /fill-\/run-rc=[1-9]|oom kills \d+ → (?!0;)\d+|oomkilled=true|removed by the platform; session 3 s later: ended, reason (memory|engine)/,
    breaksSandbox: true,
  },
  {
    name: 'fork bomb in the shell (12 s)',
    run: async ({ attacker }) =>
      (
        await asLearner(
          attacker,
          // In a PID namespace of its own: killing its first process ends every process of the bomb.
          // Its first process sleeps on: were it to exit, the kernel would end the namespace, and the bomb, early.
          `timeout -s KILL 12 unshare --fork --pid --kill-child bash -c ':(){ :|:& };:; sleep 13' >/dev/null 2>/tmp/bomb.log; echo "bomb-rc=$?"
           echo "fork-errors=$(grep -c 'fork' /tmp/bomb.log)"; grep -m1 'fork' /tmp/bomb.log || head -c 300 /tmp/bomb.log; rm -f /tmp/bomb.log`,
          { timeoutMs: 60_000 },
        )
      ).output,
    contained: both(/fork-errors=[1-9]/, /Resource temporarily unavailable|Cannot fork/),
    hostEvidence: 'forkFailures',
    breaksSandbox: true,
  },
  {
    name: 'fork bomb in an inner container (12 s)',
    run: async ({ attacker }) =>
      (
        await asLearner(
          attacker,
          // The container's PID 1 is timeout: when it exits, the kernel ends the container's PID namespace.
          `docker run --rm drydock/lab-base timeout -s KILL 12 sh -c 'f() { f | f & }; f; sleep 13' >/tmp/cbomb.log 2>&1; echo "container-bomb-done rc=$?"
           echo "fork-errors=$(grep -c "can't fork" /tmp/cbomb.log)"; grep -m1 "can't fork" /tmp/cbomb.log; rm -f /tmp/cbomb.log`,
          { timeoutMs: 60_000 },
        )
      ).output,
    contained: both(
      /container-bomb-done rc=\d+/,
      /fork-errors=[1-9][\s\S]*can't fork: Resource temporarily unavailable/,
    ),
    hostEvidence: 'forkFailures',
    breaksSandbox: true,
  },
];

/**
 * A hostile learner tries to starve the host and a neighbour: CPU, memory,
 * disk and inodes in every writable place, processes, terminal output and
 * terminals. Each attack is bounded in time. While it runs, a neighbour's
 * terminal is probed every ~100 ms (keystroke → echo); the test reports p50/p99
 * and asserts only that the neighbour keeps answering (no echo lost, none
 * slower than 5 s). After each: the attacker hit its own limits (as it sees
 * them, and as its cgroup on the host counts them), the server answers, the
 * neighbour works, and the host's disk did not shrink by more than the
 * sandbox's disk limit. `npm run bench:neighbour` prints the same figures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import { type Attack, ATTACK_ENV, ATTACK_LIMITS, ATTACKS } from '../support/attacks.ts';
import { containerCgroup } from '../support/cgroup.ts';
import { EchoProbe, formatStats } from '../support/echo-probe.ts';
import {
  asLearner,
  assertNeighbourWorks,
  assertServerAnswers,
  hostFreeBytes,
  openTerminal,
  readySessions,
} from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import type { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';
const MiB = 1024 ** 2;
const limits = ATTACK_LIMITS;

describe(
  'a neighbour stays responsive while a sandbox exhausts its resources',
  { timeout: 1_200_000 },
  () => {
    let platform: TestPlatform;
    let attacker: Session;
    let neighbour: Session;
    let terminal: TerminalClient;
    let probe: EchoProbe;

    before(async () => {
      platform = await startPlatform(ATTACK_ENV, { listen: true });
      [attacker, neighbour] = await readySessions(platform, LAB, 2);
      terminal = await openTerminal(platform, neighbour);
      probe = new EchoProbe(terminal);
    });

    after(async () => {
      terminal?.close();
      await platform?.close();
      if (platform) await assertNothingLeft(platform.owner);
    });

    it('measures the neighbour’s echo at rest', async (t) => {
      const { stats } = await probe.during(() => new Promise((r) => setTimeout(r, 5000)));
      t.diagnostic(`at rest: ${formatStats(stats)}`);
      assert.ok(stats.count > 10 && stats.lost === 0);
    });

    const attackOnce = async (t: { diagnostic(message: string): void }, attack: Attack) => {
      const cgroup = await containerCgroup(attacker.sandbox!.id);
      const before = {
        free: hostFreeBytes(),
        oomKills: cgroup.oomKills(),
        forkFailures: cgroup.forkFailures(),
        cpu: cgroup.cpuNanos(),
        at: Date.now(),
      };
      const { result: output, stats } = await probe.during(() =>
        attack.run({ platform, attacker, limits }),
      );
      const seconds = (Date.now() - before.at) / 1000;
      t.diagnostic(`neighbour echo: ${formatStats(stats)}`);
      t.diagnostic(
        `attacker saw: ${output.trim().split('\n').slice(-8).join(' | ').slice(0, 600)}`,
      );

      assert.match(output, attack.contained, 'the attack ran and hit the sandbox’s own limit');
      if (attack.hostEvidence) {
        const now = cgroup[attack.hostEvidence]();
        t.diagnostic(`host cgroup ${attack.hostEvidence}: ${before[attack.hostEvidence]} → ${now}`);
        assert.ok(
          now > before[attack.hostEvidence],
          `the sandbox's cgroup counted ${attack.hostEvidence}`,
        );
      }
      if (attack.name.startsWith('CPU hog')) {
        const cpus = (cgroup.cpuNanos() - before.cpu) / 1e9 / seconds;
        t.diagnostic(`the sandbox used ${cpus.toFixed(2)} CPUs on average (limit 1)`);
        assert.ok(cpus < 1.5, `the sandbox stayed near its CPU limit (${cpus.toFixed(2)} CPUs)`);
      }
      assert.equal(stats.lost, 0, 'no keystroke of the neighbour was lost');
      assert.ok(
        stats.max < 5000,
        `every echo came back within 5 s (max ${stats.max.toFixed(0)} ms)`,
      );

      await assertServerAnswers(platform);
      await assertNeighbourWorks(neighbour);
      const dropped = before.free - hostFreeBytes();
      t.diagnostic(`host free disk changed by ${(-dropped / MiB).toFixed(0)} MiB`);
      assert.ok(
        dropped < limits.diskBytes,
        `the host's free disk dropped by ${(dropped / MiB).toFixed(0)} MiB`,
      );
    };

    for (const attack of ATTACKS) {
      it(attack.name, async (t) => {
        try {
          await attackOnce(t, attack);
        } finally {
          // A broken attacker sandbox is contained, not a failure; later attacks need a working one.
          const alive = await asLearner(attacker, 'docker version --format ok', {
            timeoutMs: 15_000,
          }).catch(() => undefined);
          if (attack.breaksSandbox || alive?.output.trim() !== 'ok') {
            t.diagnostic(
              `attacker sandbox ${alive?.output.trim() === 'ok' ? 'still works' : 'is broken'}; starting a fresh one`,
            );
            await platform.sessions.end(attacker, 'stopped');
            [attacker] = await readySessions(platform, LAB, 1);
          }
        }
      });
    }
  },
);

/**
 * Benchmark: how promptly a neighbour's terminal echoes keystrokes, at rest and
 * while another sandbox runs each exhaustion attack of the adversarial suite
 * (test/support/attacks.ts). Prints p50/p99/max per attack. On demand only:
 *   npm run bench:neighbour -- [attack-name-filter] [rest-seconds]
 * Uses the same small limits as test/adversarial/exhaustion.test.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ATTACK_ENV, ATTACK_LIMITS, ATTACKS } from '../test/support/attacks.ts';
import { EchoProbe, type EchoStats, formatStats } from '../test/support/echo-probe.ts';
import { asLearner, openTerminal, readySessions } from '../test/support/learner.ts';
import { newOwner, startPlatform } from '../test/support/platform.ts';

const filter = new RegExp(process.argv[2] ?? '.', 'i');
const restMs = Number(process.argv[3] ?? 10) * 1000;
const LAB = 'named-volume-masks-image';

const platform = await startPlatform(
  { ...ATTACK_ENV, DRYDOCK_OWNER: newOwner('bench'), DRYDOCK_LOG_LEVEL: 'silent' },
  { listen: true },
);
/** The lab server runs in this process: its event loop's worst delay shows whether a stall is the server's. */
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const rows: [string, EchoStats, number][] = [];
const loopMaxMs = () => {
  const max = loop.max / 1e6;
  loop.reset();
  return max;
};
try {
  const pair = await readySessions(platform, LAB, 2);
  let attacker = pair[0];
  const terminal = await openTerminal(platform, pair[1]);
  const probe = new EchoProbe(terminal);
  loopMaxMs();
  const rest = await probe.during(() => new Promise((r) => setTimeout(r, restMs)));
  rows.push(['at rest', rest.stats, loopMaxMs()]);
  console.log(`at rest: ${formatStats(rest.stats)}`);
  for (const attack of ATTACKS.filter((a) => filter.test(a.name))) {
    loopMaxMs();
    const { result, stats } = await probe.during(() =>
      attack.run({ platform, attacker, limits: ATTACK_LIMITS }),
    );
    rows.push([attack.name, stats, loopMaxMs()]);
    console.log(
      `${attack.name}: ${formatStats(stats)}\n  attacker saw: ${result.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`,
    );
    const alive = await asLearner(attacker, 'docker version --format ok', {
      timeoutMs: 15_000,
    }).catch(() => undefined);
    if (attack.breaksSandbox || alive?.output.trim() !== 'ok') {
      await platform.sessions.end(attacker, 'stopped');
      [attacker] = await readySessions(platform, LAB, 1);
    }
  }
  terminal.close();
} finally {
  await platform.close();
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '∞');
console.log(
  '\n| Neighbour echo while… | echoes | p50 ms | p99 ms | max ms | > 5 s | server event-loop max delay ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const [name, s, loopMax] of rows)
  console.log(
    `| ${name} | ${s.count} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.lost} | ${ms(loopMax)} |`,
  );

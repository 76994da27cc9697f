/**
 * A hostile learner tries to send packets out of the sandbox: to the host, the
 * lab server, the cloud metadata address, a neighbour, the internet; from the
 * shell and from inner containers; before and after flushing every firewall
 * rule they can reach. A honeypot listening on every host address counts
 * connections: the host itself reaches it (positive control), the sandbox never.
 * Also: one session's token opens nothing of another's.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../lab-server/sessions/session.ts';
import {
  asLearner,
  assertNeighbourWorks,
  assertServerAnswers,
  inPrivilegedContainer,
  readySessions,
} from '../support/learner.ts';
import { assertNothingLeft, startPlatform, type TestPlatform } from '../support/platform.ts';
import { TerminalClient } from '../support/terminal-client.ts';

const LAB = 'named-volume-masks-image';

/** Every IPv4 address of this machine that is not loopback (eth0, the outer docker0, ...). */
const hostAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

describe('no packet leaves a rootless sandbox', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let attacker: Session;
  let neighbour: Session;
  let honeypot: Server;
  let honeypotPort = 0;
  let serverPort = 0;
  const knocks: string[] = [];
  let targets: string[] = [];

  before(async () => {
    honeypot = createServer((socket) => {
      knocks.push(`${socket.remoteAddress}:${socket.remotePort}`);
      socket.on('error', () => {});
      socket.end('honeypot\n');
    });
    await new Promise<void>((resolve) => honeypot.listen(0, '0.0.0.0', resolve));
    honeypotPort = (honeypot.address() as { port: number }).port;
    platform = await startPlatform({ DRYDOCK_IDLE_TIMEOUT: '30m' }, { listen: true });
    serverPort = Number(new URL(platform.url).port);
    [attacker, neighbour] = await readySessions(platform, LAB, 2);

    const addresses = hostAddresses();
    assert.ok(addresses.length > 0, 'the host has a non-loopback address');
    // Positive control: from the host, the honeypot answers on every address.
    for (const address of [...addresses, '127.0.0.1'])
      assert.ok(
        await canConnect(address, honeypotPort),
        `the host reaches its honeypot on ${address}`,
      );
    knocks.length = 0;
    targets = [
      ...[...addresses, '127.0.0.1', '10.0.2.2', '10.0.2.3'].flatMap((a) => [
        `${a}:${honeypotPort}`,
        `${a}:${serverPort}`,
        `${a}:22`,
      ]),
      '169.254.169.254:80', // cloud metadata
      '172.17.0.2:80', // the outer bridge's first container
      '172.17.0.1:2375', // the outer engine, were it on TCP
      '1.1.1.1:53',
      '8.8.8.8:443',
      'deb.debian.org:80',
      'registry-1.docker.io:443',
    ];
  });

  after(async () => {
    honeypot?.close();
    await platform?.close();
    if (platform) await assertNothingLeft(platform.owner);
  });

  /** A bash script that tries every target at once with curl (3 s each) and prints one line per target. */
  const curlAll = () =>
    targets
      .map(
        (t) =>
          `(out=$(curl -sS --max-time 3 -o /dev/null "http://${t}/" 2>&1); rc=$?; echo "$(printf %s "$out" | head -c 200 | tr '\\n' ' ') target=${t} rc=$rc") &`,
      )
      .join('\n') + '\nwait\necho done';
  /** The same with busybox (inner containers): nc -w 3 for TCP. */
  const ncAll = () =>
    targets
      .map(
        (t, i) =>
          `(nc -w 3 ${t.replace(':', ' ')} </dev/null >/dev/null 2>/tmp/nc-err.${i}; rc=$?; echo "$(head -c 200 /tmp/nc-err.${i} | tr '\\n' ' ') target=${t} rc=$rc") &`,
      )
      .join('\n') + '\nwait\necho done';

  const assertAllFailed = (output: string, where: string) => {
    const lines = output.split('\n').filter((l) => l.includes(' target='));
    assert.equal(lines.length, targets.length, `${where}: every target was tried:\n${output}`);
    for (const line of lines) assert.doesNotMatch(line, / rc=0$/, `${where}: reached ${line}`);
    assert.deepEqual(knocks, [], `${where}: the honeypot on the host was reached`);
  };

  const errorKinds = (output: string) => {
    const kinds = new Map<string, number>();
    for (const line of output.split('\n').filter((l) => l.includes(' target='))) {
      const kind =
        line
          .replace(/ target=.*$/, '')
          .replace(/\d+(\.\d+){3}|port \d+|after \d+ ms|[\w-]+\.(org|io)/g, '…')
          .trim() || '(no message)';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return [...kinds].map(([k, n]) => `${n}× ${k}`).join(' | ');
  };

  it('from the shell: no host address, no lab server, no metadata, no neighbour, no internet', async (t) => {
    const result = await asLearner(
      attacker,
      `echo "route: $(ip route | tr '\\n' ';')"\n${curlAll()}`,
      { timeoutMs: 30_000 },
    );
    t.diagnostic(result.output.split('\n')[0]!);
    t.diagnostic(errorKinds(result.output));
    assertAllFailed(result.output, 'shell');
    await assertServerAnswers(platform);
  });

  it('from a privileged inner container on the sandbox’s network', async (t) => {
    const result = await inPrivilegedContainer(attacker, ncAll(), { timeoutMs: 30_000 });
    t.diagnostic(errorKinds(result.output));
    assertAllFailed(result.output, 'privileged --net=host container');
    const bridged = await asLearner(
      attacker,
      `docker run --rm -e ATTACK drydock/lab-base sh -c "$ATTACK"`,
      { env: { ATTACK: ncAll() }, timeoutMs: 30_000 },
    );
    t.diagnostic(`bridged: ${errorKinds(bridged.output)}`);
    assertAllFailed(bridged.output, 'container on the inner bridge');
  });

  it('after flushing every firewall rule it can reach, still no route out', async (t) => {
    const flush = `
      for table in filter nat mangle raw; do iptables -t $table -F; iptables -t $table -X; done
      iptables -P INPUT ACCEPT; iptables -P OUTPUT ACCEPT; iptables -P FORWARD ACCEPT
      echo "flushed rc=$?"; iptables -S | tr '\\n' ';'; echo`;
    const shell = await asLearner(attacker, `${flush}\n${curlAll()}`, { timeoutMs: 30_000 });
    t.diagnostic(
      `shell: ${shell.output.split('\n').find((l) => l.startsWith('flushed'))} ${errorKinds(shell.output)}`,
    );
    assert.match(shell.output, /flushed rc=0/, 'the learner can flush their own namespace’s rules');
    assert.match(shell.output, /-P OUTPUT ACCEPT/);
    assertAllFailed(shell.output, 'shell after flush');

    const container = await asLearner(
      attacker,
      `docker run --rm --cap-add NET_ADMIN --net=host -e ATTACK drydock/lab-base sh -c "$ATTACK"`,
      {
        env: { ATTACK: `ip route add 0.0.0.0/1 via 10.0.2.2 2>&1; echo "route-rc=$?"; ${ncAll()}` },
        timeoutMs: 30_000,
      },
    );
    t.diagnostic(`NET_ADMIN container: ${errorKinds(container.output)}`);
    assertAllFailed(container.output, 'NET_ADMIN container after flush');
    await assertServerAnswers(platform);
    await assertNeighbourWorks(neighbour);
  });

  it('one session’s token opens nothing of another session (HTTP and WebSocket)', async () => {
    // Wrong or missing tokens and foreign Origins are covered by test/engine/session-lifecycle.test.ts
    // and test/unit/api.test.ts; here the token is a real, valid one — of the attacker's own session.
    const auth = { authorization: `Bearer ${attacker.token}` };
    for (const [method, path] of [
      ['GET', `/api/sessions/${neighbour.id}`],
      ['POST', `/api/sessions/${neighbour.id}/check`],
      ['DELETE', `/api/sessions/${neighbour.id}`],
    ] as const) {
      const res = await fetch(`${platform.url}${path}`, { method, headers: auth });
      assert.equal(res.status, 404, `${method} ${path} with another session's token`);
    }
    const socket = TerminalClient.open(platform.url, neighbour.id, attacker.token!);
    await socket.waitForClose(10_000);
    assert.equal(socket.closeCode, 4404);
    assert.equal(neighbour.state, 'ready', 'the neighbour was not stopped');
    await assertNeighbourWorks(neighbour);
  });
});

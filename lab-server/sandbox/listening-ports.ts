/**
 * The ports a preview can reach, from `ss -H -l -t -n` run where the learner
 * works: listening sockets bound to an address that 127.0.0.1 reaches (loopback,
 * or any address: `0.0.0.0`, `*`, `[::]`), since that is where the port forwarder
 * (port-forwarder.ts) connects.
 */
const REACHABLE =
  /^(127\.\d+\.\d+\.\d+|0\.0\.0\.0|\*|\[::\]|\[::ffff:127\.\d+\.\d+\.\d+\])(%\S+)?$/;

export function parseListeningPorts(ssOutput: string): number[] {
  const ports = new Set<number>();
  for (const line of ssOutput.split('\n')) {
    // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port [Process]
    const local = line.trim().split(/\s+/)[3];
    if (!local) continue;
    const colon = local.lastIndexOf(':');
    const address = local.slice(0, colon);
    const port = Number(local.slice(colon + 1));
    if (Number.isInteger(port) && port > 0 && port < 65536 && REACHABLE.test(address))
      ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

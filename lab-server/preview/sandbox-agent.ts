/**
 * Node's HTTP client, connected into a sandbox: an http.Agent whose connections
 * are port forwarders over the engine's exec API (sandbox/port-forwarder.ts)
 * instead of TCP sockets. Node parses and writes HTTP; the agent keeps idle
 * connections for the next request (an exec costs ~150 ms) and holds requests
 * beyond the session's connection limit in line until one frees.
 */
import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a forwarder may take to connect inside the sandbox. */
const CONNECT_TIMEOUT_MS = 10_000;
/** An idle kept connection (a running forwarder) is closed after this. */
const IDLE_MS = 15_000;

export class SandboxAgent extends Agent {
  private readonly openPort: (port: number, timeoutMs: number) => Promise<Duplex>;
  /** Connections open now (forwarders running in the sandbox). */
  open = 0;

  constructor(
    openPort: (port: number, timeoutMs: number) => Promise<Duplex>,
    maxConnections: number,
  ) {
    const options: AgentOptions = {
      keepAlive: true,
      maxSockets: maxConnections,
      maxTotalSockets: maxConnections,
      maxFreeSockets: maxConnections,
      timeout: IDLE_MS,
      scheduling: 'lifo',
    };
    super(options);
    this.openPort = openPort;
  }

  /** Requests waiting for a connection, on every port. */
  get waiting(): number {
    return Object.values(this.requests).reduce((n, list) => n + (list?.length ?? 0), 0);
  }

  // Node's Agent calls this with (options, callback) and accepts a connection given later.
  override createConnection(
    options: { port?: number | string | null },
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    this.openPort(Number(options.port), CONNECT_TIMEOUT_MS).then(
      (connection) => {
        this.open++;
        connection.once('close', () => this.open--);
        callback(null, connection);
      },
      (error: Error) => callback(error),
    );
    return undefined;
  }
}

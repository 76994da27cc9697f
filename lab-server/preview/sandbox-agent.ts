/**
 * Node's HTTP client, connected into a sandbox: an http.Agent whose connections
 * are port forwarders over the engine's exec API (sandbox/port-forwarder.ts)
 * instead of TCP sockets. Node parses and writes HTTP; the agent keeps idle
 * connections for the next request (an exec costs ~150 ms) and holds requests
 * beyond the session's connection limit in line until one frees.
 *
 * The line is the agent's own (enter/leave), not Node's: Node counts a connection
 * only once createConnection has given it, so while the first ones were being
 * opened every new request opened one more (a burst of 12 opened 12 forwarders
 * where the limit was 2, and nothing waited, so nothing was ever refused).
 */
import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a forwarder may take to connect inside the sandbox. */
const CONNECT_TIMEOUT_MS = 10_000;
/** An idle kept connection (a running forwarder) is closed after this. */
const IDLE_MS = 15_000;

/** A place in the agent: `ready` once the request may go in; `leave` when it is done (or given up). */
export interface AgentTurn {
  ready: Promise<void>;
  leave: () => void;
}

export class SandboxAgent extends Agent {
  private readonly openPort: (port: number, timeoutMs: number) => Promise<Duplex>;
  private readonly maxConnections: number;
  /** Connections open now (forwarders running in the sandbox). */
  open = 0;
  /** Places taken by requests in the agent: at most maxConnections, so Node never needs more connections. */
  private inside = 0;
  private readonly line: (() => boolean)[] = [];

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
    this.maxConnections = maxConnections;
  }

  /** Requests waiting for a connection, on every port. */
  get waiting(): number {
    return this.line.length;
  }

  /** A request's turn: at once while fewer than maxConnections are in, else in line (first come, first in). */
  enter(): AgentTurn {
    let state: 'waiting' | 'inside' | 'gone' = 'waiting';
    let admit!: () => boolean;
    const ready = new Promise<void>((resolve) => {
      admit = () => {
        if (state !== 'waiting') return false;
        state = 'inside';
        resolve();
        return true;
      };
    });
    if (this.inside < this.maxConnections) {
      this.inside++;
      admit();
    } else this.line.push(admit);
    const leave = () => {
      if (state === 'waiting') {
        const place = this.line.indexOf(admit);
        if (place >= 0) this.line.splice(place, 1);
      } else if (state === 'inside') this.handOver();
      state = 'gone';
    };
    return { ready, leave };
  }

  /** A request left: its place goes to the first in line, if any. */
  private handOver(): void {
    const next = this.line.shift();
    if (!next) {
      this.inside--;
      return;
    }
    // On the next turn of the event loop: by then Node has put the finished
    // request's connection back among its free ones, and the next request reuses it
    // instead of opening another. One that gave up meanwhile passes the place on.
    setImmediate(() => next() || this.handOver());
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

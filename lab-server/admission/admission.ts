/**
 * Whether a new sandbox may start, in one place: the learner's own limits and
 * its address's (sessions at once, sandboxes created per minute; client-id.ts
 * says who a learner is; a member of a current class is held to the learner's
 * limits only, so a class behind one address each gets a sandbox), then the
 * host's room (count, memory as the sandboxes really use it, disk; room.ts) and
 * the waiting line. The decision and the session's creation happen in one
 * synchronous step, so two requests cannot both take the last slot.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { RefusalCause, Signals } from '../signals.ts';
import type { CreateRates } from './client-limits.ts';
import { identityOf } from './client-id.ts';
import type { MemorySource } from './memory-meter.ts';
import { type HostFacts, roomFor, type RoomInput } from './room.ts';
import { LineFullError, WaitingLine } from './waiting-line.ts';

/** A ticket not presented again within this long loses its place. */
export const TICKET_TTL_MS = 30_000;
/** How long a waiting client is told to wait before asking again (well within the ticket's life). */
export const RETRY_AFTER_S = 5;

export interface AdmissionLimits {
  maxSandboxes: number;
  /**
   * A sandbox's container memory limit is memoryBytes, plus diskBytes where the
   * sandbox keeps its engine data in memory-backed tmpfs (DRYDOCK_SANDBOX_DISK).
   */
  sandbox: { memoryBytes: number; diskBytes?: number };
  hostReserve: { memoryBytes: number; diskBytes: number };
  /** DRYDOCK_HOST_MEMORY: plan with at most this much of the host's memory. */
  hostMemoryBytes?: number | undefined;
  /** DRYDOCK_MEMORY_OVERCOMMIT: a measured sandbox counts as its use, but at least its limit ÷ this. */
  memoryOvercommit?: number;
  clients: { maxSessions: number; maxSessionsPerAddress: number };
}

/** @fastify/rate-limit's createRateLimit() checker: peeks with `increment: false`, counts otherwise. */
export type RateCheck = ReturnType<FastifyInstance['createRateLimit']>;

interface Live {
  readonly live: boolean;
}

export class Admission {
  readonly line: WaitingLine;
  private readonly limits: AdmissionLimits;
  private readonly live: () => number;
  private readonly facts: () => Promise<HostFacts>;
  private readonly memory: MemorySource | undefined;
  private readonly createRate: CreateRates | undefined;
  private readonly log: FastifyBaseLogger;
  private readonly signals: Signals | undefined;
  private readonly inClass: ((learner: string) => Promise<boolean>) | undefined;
  /** Who holds each session that may still be live: its learner and its address. */
  private readonly holders = new Map<Live, { learner: string; address: string }>();

  constructor(opts: {
    limits: AdmissionLimits;
    live: () => number;
    facts: () => Promise<HostFacts>;
    /**
     * What this server's sandboxes really use (memory-meter.ts). Without it, or while it
     * cannot measure, every sandbox counts at its full memory limit.
     */
    memory?: MemorySource;
    createRate?: CreateRates;
    log: FastifyBaseLogger;
    now?: () => number;
    /** Where refusals are reported, by cause (metrics). */
    signals?: Signals;
    /**
     * Whether a learner (`learner:<id>`) belongs to a class that is neither ended nor
     * over (classes/): such a learner skips the per-address limits, which stay as a
     * flood guard for everyone else.
     */
    inClass?: (learner: string) => Promise<boolean>;
  }) {
    this.limits = opts.limits;
    this.live = opts.live;
    this.facts = opts.facts;
    this.memory = opts.memory;
    this.createRate = opts.createRate;
    this.log = opts.log;
    this.signals = opts.signals;
    this.inClass = opts.inClass;
    this.line = new WaitingLine({ ttlMs: TICKET_TTL_MS, ...(opts.now ? { now: opts.now } : {}) });
  }

  /**
   * Creates a session with `create` if this client may have one and the host
   * has room for it and nobody earlier in line is waiting for that room.
   * Otherwise throws: 429 TOO_MANY_SESSIONS or RATE_LIMITED, or 503 FULL with
   * the client's place in line and the ticket that keeps it.
   */
  async admit<S extends Live>(
    request: FastifyRequest,
    ticket: string | undefined,
    create: () => S,
    /** Asked after the last await: whether this start will claim a warm sandbox. */
    claimsWarm: () => boolean = () => false,
  ): Promise<S> {
    const { learner, address } = identityOf(request);
    const member =
      learner.startsWith('learner:') && this.inClass !== undefined && (await this.inClass(learner));
    for (const [rates, whose] of [
      [this.createRate?.learner, 'one person'],
      [member ? undefined : this.createRate?.address, 'one network address'],
    ] as const) {
      const rate = await rates?.(request, { increment: false });
      // A peek: the limit is reached when nothing remains (isExceeded would mean already past it).
      if (rate && !rate.isAllowed && rate.remaining <= 0) {
        this.refused('create-rate');
        throw new AppError(
          'RATE_LIMITED',
          whose === 'one person'
            ? `You started ${rate.max} sandboxes within a minute, the most ${whose} may. Try again in ${rate.ttlInSeconds} s.`
            : `${rate.max} sandboxes were started from your network address within a minute, the most ${whose} may. Try again in ${rate.ttlInSeconds} s.`,
          { retryAfter: rate.ttlInSeconds },
        );
      }
    }
    const [host, reading] = await Promise.all([this.facts(), this.memory?.read()]);

    // From here to create() nothing awaits: the decision cannot go stale.
    const own = this.liveOf((h) => h.learner === learner) + this.line.heldBy(learner, ticket);
    if (own >= this.limits.clients.maxSessions) {
      this.refused('sessions-per-client');
      throw new AppError(
        'TOO_MANY_SESSIONS',
        `You already have ${own} sandbox${own === 1 ? '' : 'es'} running or waiting, the most one person may have. Stop one (or close its tab) first.`,
        { retryAfter: 60 },
      );
    }
    const shared = member ? 0 : this.liveOf((h) => h.address === address);
    if (shared >= this.limits.clients.maxSessionsPerAddress) {
      this.refused('sessions-per-client');
      throw new AppError(
        'TOO_MANY_SESSIONS',
        `${shared} sandboxes are running for your network address, the most this server allows one address (DRYDOCK_SESSIONS_PER_ADDRESS). Someone sharing it must stop one first.`,
        { retryAfter: 60 },
      );
    }
    const input = { ...this.roomInput(host, reading), claimsWarm: claimsWarm() };
    const room = roomFor(input);
    const waitingBefore = this.line.length;
    let turn;
    try {
      turn = this.line.take({ client: learner, ticket }, room.slots);
    } catch (error) {
      if (!(error instanceof LineFullError)) throw error;
      this.refused('line-full');
      throw new AppError(
        'FULL',
        'All sandboxes are busy and the waiting line is full too. Try again in a few minutes.',
        { retryAfter: 60 },
      );
    }
    if (!turn.admitted) {
      this.refused('waiting');
      if (waitingBefore === 0)
        this.log.info(
          {
            limitedBy: room.limitedBy,
            live: input.live,
            ...host,
            ...(input.use && {
              sandboxesUseBytes: input.use.sandboxes.reduce((a, b) => a + b, 0),
              hostAvailableBytes: input.use.hostAvailableBytes,
            }),
          },
          'no room for another sandbox: learners are waiting in line',
        );
      throw new AppError(
        'FULL',
        `All sandboxes are busy — you are number ${turn.position} in line. Keep this page open: you get the next free sandbox.`,
        {
          retryAfter: RETRY_AFTER_S,
          details: { queue: { position: turn.position, ahead: turn.ahead, ticket: turn.ticket } },
        },
      );
    }
    const session = create();
    this.holders.set(session, { learner, address });
    await this.createRate?.learner(request);
    if (!member) await this.createRate?.address(request);
    return session;
  }

  private roomInput(
    host: HostFacts,
    reading: Awaited<ReturnType<MemorySource['read']>> | undefined,
  ): RoomInput {
    return {
      live: this.live(),
      maxSandboxes: this.limits.maxSandboxes,
      sandboxMemoryBytes: this.limits.sandbox.memoryBytes + (this.limits.sandbox.diskBytes ?? 0),
      overcommit: this.limits.memoryOvercommit ?? 1,
      hostMemoryBytes: this.limits.hostMemoryBytes,
      reserve: this.limits.hostReserve,
      host,
      use: reading && {
        sandboxes: [...reading.sandboxes.values()],
        hostAvailableBytes: reading.hostAvailableBytes,
      },
    };
  }

  /**
   * How many more sandboxes the host has room for now, by the same rules as a
   * learner's Start (for a warm pool deciding whether to grow: it must leave a
   * learner room).
   */
  async slots(): Promise<number> {
    const [host, reading] = await Promise.all([this.facts(), this.memory?.read()]);
    return roomFor(this.roomInput(host, reading)).slots;
  }

  private refused(cause: RefusalCause): void {
    this.signals?.emit('admission-refused', { cause });
  }

  /** Live sessions whose holder matches; forgets ended sessions on the way. */
  private liveOf(matches: (holder: { learner: string; address: string }) => boolean): number {
    let count = 0;
    for (const [session, holder] of this.holders) {
      if (!session.live) this.holders.delete(session);
      else if (matches(holder)) count++;
    }
    return count;
  }
}

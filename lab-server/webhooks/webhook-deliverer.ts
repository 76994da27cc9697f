/**
 * Sends the outbox's messages to the receiver (DRYDOCK_WEBHOOK_URL), signed per
 * Standard Webhooks with the `standardwebhooks` library, the one receivers
 * verify with. Off the request path: a Check only writes the outbox and nudges
 * this loop. A message is delivered when the receiver answers 2xx within the
 * timeout; anything else (an error status, a redirect, which is never followed,
 * no answer) is tried again after a growing wait, with the same `webhook-id`
 * so the receiver can drop a duplicate, and given up after the last attempt
 * with a warning. Due messages left by a stopped server are sent when the next
 * one starts.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Signals } from '../signals.ts';
import type { OutboxMessage, WebhookOutbox } from '../store/webhook-outbox.ts';

/** Waits after each failed attempt: 6 attempts over about an hour (10 s, 1 min, 5 min, 15 min, 40 min). */
export const RETRY_DELAYS_MS: readonly number[] = [10_000, 60_000, 300_000, 900_000, 2_400_000];
export const DELIVERY_TIMEOUT_MS = 5000;
/** An idle loop looks again this often (a message is normally nudged at once). */
const IDLE_POLL_MS = 60_000;

export type DeliveryOutcome = 'delivered' | 'retried' | 'gave-up';

export class WebhookDeliverer {
  private readonly outbox: Pick<
    WebhookOutbox,
    'due' | 'nextDueAt' | 'delivered' | 'retryAt' | 'gaveUp'
  >;
  private readonly owner: string;
  private readonly url: string;
  private readonly signer: Webhook;
  private readonly log: FastifyBaseLogger;
  private readonly signals: Signals | undefined;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A nudge came while a pass ran: run another when it ends. */
  private again = false;
  private closed = true;
  /** Aborts the attempt under way when the server stops. */
  private readonly stopping = new AbortController();

  constructor(opts: {
    outbox: WebhookDeliverer['outbox'];
    /** The server whose messages these are (DRYDOCK_OWNER). */
    owner: string;
    url: string;
    /** `whsec_<base64>` (config.ts checked its form). */
    secret: string;
    log: FastifyBaseLogger;
    /** Where each attempt's outcome is reported (the metrics). */
    signals?: Signals;
    /** Waits after each failed attempt; attempts are one more than waits. Tests make them short. */
    retryDelaysMs?: readonly number[];
    timeoutMs?: number;
    now?: () => number;
  }) {
    this.outbox = opts.outbox;
    this.owner = opts.owner;
    this.url = opts.url;
    this.signer = new Webhook(opts.secret);
    this.log = opts.log;
    this.signals = opts.signals;
    this.retryDelaysMs = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Starts sending: what is due now (a previous run's too), then whatever is nudged or falls due. */
  start(): void {
    this.closed = false;
    this.nudge();
  }

  /** Something was added to the outbox: send it now rather than at the next poll. */
  nudge(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
  }

  /**
   * Stops without waiting for a slow receiver: the attempt under way is cut off
   * and not counted, so the next start sends it again (with the same id), as it
   * does everything else still pending.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
  }

  private async pass(): Promise<void> {
    try {
      for (;;) {
        const due = await this.outbox.due(this.owner, this.now());
        for (const message of due) {
          if (this.closed) return;
          await this.attempt(message);
        }
        if (due.length === 0 || this.closed) break;
      }
      if (this.closed) return;
      const next = await this.outbox.nextDueAt(this.owner);
      const wait = next === undefined ? IDLE_POLL_MS : next - this.now();
      this.timer = setTimeout(() => this.nudge(), Math.max(0, Math.min(wait, IDLE_POLL_MS)));
      this.timer.unref();
    } catch (err) {
      // The store failed: try again later rather than lose the loop.
      this.log.error({ err }, 'results webhook: reading the outbox failed');
      if (this.closed) return;
      this.timer = setTimeout(() => this.nudge(), IDLE_POLL_MS);
      this.timer.unref();
    }
  }

  private async attempt(message: OutboxMessage): Promise<void> {
    const attempts = message.attempts + 1;
    const failure = await this.send(message);
    if (failure !== undefined && this.stopping.signal.aborted) return;
    const at = this.now();
    const log = { webhook: message.id, type: message.type, session: message.sessionId, attempts };
    if (failure === undefined) {
      await this.outbox.delivered(message.id, attempts, at);
      this.log.info(log, 'results webhook delivered');
      return this.report('delivered');
    }
    const wait = this.retryDelaysMs[attempts - 1];
    if (wait === undefined) {
      await this.outbox.gaveUp(message.id, attempts, at, failure);
      this.log.warn(
        { ...log, error: failure },
        `results webhook given up after ${attempts} attempts: ${failure}`,
      );
      return this.report('gave-up');
    }
    await this.outbox.retryAt(message.id, attempts, at + wait, failure);
    this.log.info(
      { ...log, error: failure, retryInMs: wait },
      `results webhook attempt failed: ${failure}`,
    );
    this.report('retried');
  }

  private report(outcome: DeliveryOutcome): void {
    this.signals?.emit('webhook-delivery', { outcome });
  }

  /** One POST; undefined when the receiver took it, else why not. */
  private async send(message: OutboxMessage): Promise<string | undefined> {
    const timestamp = new Date(this.now());
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Drydock-Webhooks',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': this.signer.sign(message.id, timestamp, message.payload),
        },
        body: message.payload,
        // A redirect could carry the signed results anywhere: the receiver's URL is the only one.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopping.signal]),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return undefined;
      if (res.status >= 300 && res.status < 400)
        return `the receiver answered ${res.status} (a redirect, which is not followed: set DRYDOCK_WEBHOOK_URL to where it points)`;
      return `the receiver answered ${res.status}`;
    } catch (err) {
      const error = err as Error & { cause?: { code?: string; message?: string } };
      if (error.name === 'TimeoutError') return `no answer within ${this.timeoutMs / 1000} s`;
      return `could not reach the receiver: ${error.cause?.code ?? error.cause?.message ?? error.message}`;
    }
  }
}

/**
 * A results webhook's receiver as an operator's would be: a real HTTP server
 * (node:http) that verifies each request with the `standardwebhooks` library,
 * as docs/running-a-class.md tells receivers to, and answers with the statuses
 * a test scripts (200 once the script runs out).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body when its signature verified; undefined with `error` when not. */
  verified?: unknown;
  error?: string;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Statuses to answer with, in order; then 200. */
  answers: number[] = [];
  /** Headers to add to an answer (a redirect's Location). */
  answerHeaders: Record<string, string> = {};
  /** Whether to leave requests unanswered (a receiver that hangs). */
  silent = false;
  private readonly server: Server;
  private readonly verifier: Webhook;

  private constructor(secret: string) {
    this.verifier = new Webhook(secret);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: req.headers, body, ...this.verify(body, req.headers) });
        if (this.silent) return;
        res.writeHead(this.answers.shift() ?? 200, this.answerHeaders).end('ok');
      });
    });
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(secret);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/drydock`;
  }

  /** What a receiver does with a request: Webhook.verify over the raw body and the three headers. */
  verify(body: string, headers: IncomingHttpHeaders): Pick<Received, 'verified' | 'error'> {
    try {
      return { verified: this.verifier.verify(body, headers as Record<string, string>) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** Waits until `n` requests came in. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline)
        throw new Error(`the receiver got ${this.received.length} requests, not ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

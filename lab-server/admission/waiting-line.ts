/**
 * A fair line for sandboxes. A learner who finds the platform full gets a
 * ticket and a place; asking again with the ticket keeps the place (and
 * renews it), a ticket not renewed within `ttlMs` is dropped, and nobody
 * can get a sandbox while someone who asked earlier is still waiting for it:
 * with `slots` sandboxes free, only the first `slots` people in line (or a
 * newcomer when the line is shorter than that) are let through.
 */
import { randomBytes } from 'node:crypto';

export type Turn =
  | { admitted: true }
  | {
      admitted: false;
      ticket: string;
      /** 1 = next in line. */
      position: number;
      /** People in line before this one (position - 1). */
      ahead: number;
    };

interface Waiter {
  client: string;
  renewedAt: number;
}

export interface WaitingLineOptions {
  /** A ticket not presented again within this long loses its place. */
  ttlMs: number;
  /** Longest line; beyond it, newcomers are turned away without a ticket. */
  maxLength?: number;
  now?: () => number;
  newTicket?: () => string;
}

export class LineFullError extends Error {}

export class WaitingLine {
  /** Insertion order is the order of the line. */
  private readonly waiters = new Map<string, Waiter>();
  private readonly ttlMs: number;
  private readonly maxLength: number;
  private readonly now: () => number;
  private readonly newTicket: () => string;

  constructor(options: WaitingLineOptions) {
    this.ttlMs = options.ttlMs;
    this.maxLength = options.maxLength ?? 1000;
    this.now = options.now ?? Date.now;
    this.newTicket = options.newTicket ?? (() => `q_${randomBytes(16).toString('base64url')}`);
  }

  get length(): number {
    this.expire();
    return this.waiters.size;
  }

  /** Whether this ticket still holds a place. */
  holds(ticket: string | undefined): boolean {
    this.expire();
    return ticket !== undefined && this.waiters.has(ticket);
  }

  /** Places held by this client, not counting `except`. */
  heldBy(client: string, except?: string): number {
    this.expire();
    let n = 0;
    for (const [ticket, waiter] of this.waiters)
      if (waiter.client === client && ticket !== except) n++;
    return n;
  }

  /**
   * Decides one request. `slots` is how many sandboxes may start now. An
   * admitted waiter leaves the line; anyone else keeps (or gets) a place.
   * Throws LineFullError when a newcomer would make the line longer than its maximum.
   */
  take(request: { client: string; ticket?: string | undefined }, slots: number): Turn {
    this.expire();
    let ticket =
      request.ticket !== undefined && this.waiters.has(request.ticket) ? request.ticket : undefined;
    if (ticket === undefined) {
      if (this.waiters.size < slots) return { admitted: true };
      if (this.waiters.size >= this.maxLength) throw new LineFullError('the waiting line is full');
      ticket = this.newTicket();
      this.waiters.set(ticket, { client: request.client, renewedAt: this.now() });
    }
    this.waiters.get(ticket)!.renewedAt = this.now();
    const index = [...this.waiters.keys()].indexOf(ticket);
    if (index < slots) {
      this.waiters.delete(ticket);
      return { admitted: true };
    }
    return { admitted: false, ticket, position: index + 1, ahead: index };
  }

  private expire(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [ticket, waiter] of this.waiters)
      if (waiter.renewedAt < oldest) this.waiters.delete(ticket);
  }
}

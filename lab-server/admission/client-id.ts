/**
 * Who a request comes from, for per-client limits: its IP address (after
 * DRYDOCK_TRUST_PROXY), with an IPv4-mapped IPv6 address as plain IPv4 and
 * an IPv6 address cut to its /64 (one subscriber usually holds a whole /64,
 * so counting single addresses would let one person be 2^64 clients). The
 * same rule as @fastify/rate-limit's default key; client-limits.ts uses this
 * function as the rate limiter's key, so every limit agrees.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { LEARNER_HEADER, LEARNER_ID } from '../../protocol/learner-id.ts';
import { AppError } from '../errors.ts';

/**
 * The learner identity the browser keeps (site/scripts/learner-id.ts): a random
 * id in localStorage, sent with every API request. It is the learner's own
 * claim, so it decides only the per-learner limits; the per-address limits stay
 * as a flood guard against someone minting identities.
 */
export interface Identity {
  /** `learner:<id>` when the request carries one, else the address (scripts, old pages). */
  learner: string;
  /** clientOf(request.ip) */
  address: string;
}

/** Who a request comes from; a malformed learner id is a 400 with the reason. */
export function identityOf(request: FastifyRequest): Identity {
  const address = clientOf(request.ip);
  const sent = request.headers[LEARNER_HEADER];
  if (sent === undefined) return { learner: address, address };
  if (typeof sent !== 'string' || !LEARNER_ID.test(sent))
    throw new AppError(
      'BAD_REQUEST',
      `The ${LEARNER_HEADER} header must be 16 to 64 letters, digits, _ or - (one value).`,
    );
  return { learner: `learner:${sent}`, address };
}

/** The learner key of a request for the rate limiter: the same identity, never a throw (a bad header is answered by the route). */
export function learnerKey(request: FastifyRequest): string {
  try {
    return identityOf(request).learner;
  } catch {
    return clientOf(request.ip);
  }
}

/** Eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included). */
function groups(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0]!;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text =
      text.slice(0, -v4[1]!.length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}

/** The client an address belongs to; a request without one (an in-process injection) is client "unknown". */
export function clientOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip.toLowerCase();
  const g = groups(ip);
  // ::ffff:a.b.c.d is an IPv4 client.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

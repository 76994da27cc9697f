import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * preHandler for WebSocket-only routes: a plain HTTP request gets a JSON 426
 * like every other API error, instead of @fastify/websocket's empty 404.
 */
export async function requireUpgrade(request: FastifyRequest): Promise<void> {
  if (!request.ws) throw new AppError('UPGRADE_REQUIRED');
}

import type { FastifyInstance } from 'fastify';
/** The lab server's HTTP API as a client without a browser calls it (docs/api.md). */
export async function api(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

/** POST /api/sessions through `app.inject`, from a client at `ip`, with its place in line if it has one. */
export const startFrom = (app: FastifyInstance, lab: string, ip: string, ticket?: string) =>
  app.inject({
    method: 'POST',
    url: '/api/sessions',
    remoteAddress: ip,
    payload: { lab, ...(ticket ? { ticket } : {}) },
  });

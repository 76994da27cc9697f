/**
 * The session's terminals over HTTP (docs/api.md, "More than one terminal"),
 * parsed with protocol/terminals.ts like every other answer (lab-api.ts).
 */
import {
  OpenedTerminalSchema,
  TerminalListSchema,
  type TerminalList,
} from '../../protocol/terminals.ts';
import { request } from './lab-api.ts';

const base = (id: string) => `/api/sessions/${encodeURIComponent(id)}/terminals`;

export function listTerminals(id: string, token: string): Promise<TerminalList> {
  return request(base(id), TerminalListSchema, { token });
}

/** Opens the next terminal; a 409 TOO_MANY_TERMINALS ApiError says why not. */
export async function openTerminal(id: string, token: string): Promise<number> {
  return (await request(base(id), OpenedTerminalSchema, { method: 'POST', token })).number;
}

/** Closes terminal `number`: its shell ends, with whatever runs in it. */
export function closeTerminal(id: string, token: string, number: number): Promise<void> {
  return request(`${base(id)}/${number}`, null, { method: 'DELETE', token });
}

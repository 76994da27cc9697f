/** The JSON control messages of the terminal WebSocket (see docs/api.md). */
export type ClientMessage =
  { type: 'resize'; cols: number; rows: number } | { type: 'ack'; bytes: number };

const dimension = (n: unknown, max: number): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max;

/** Parses a client's text frame; anything malformed is `undefined`, never an exception. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'resize' && dimension(m.cols, 1000) && dimension(m.rows, 500))
    return { type: 'resize', cols: m.cols, rows: m.rows };
  if (
    m.type === 'ack' &&
    Number.isInteger(m.bytes) &&
    (m.bytes as number) >= 0 &&
    (m.bytes as number) <= 1 << 30
  )
    return { type: 'ack', bytes: m.bytes as number };
  return undefined;
}

/**
 * The edge where the browser's JSON control messages enter the server: each
 * text frame is read once, against the protocol's schema, here.
 */
import { parseText, type Parsed } from '../../protocol/parse.ts';
import { ClientMessageSchema, type ClientMessage } from '../../protocol/terminal-messages.ts';

/**
 * A client's text frame; never throws. What is malformed (not JSON, an unknown
 * `type`, a field out of range) is ignored by the caller and the socket stays
 * open: a newer client may send types this server does not know (docs/api.md).
 */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  return parseText(ClientMessageSchema, text);
}

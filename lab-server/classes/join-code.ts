/**
 * New join codes: 8 symbols of Crockford's base32 (protocol/classes.ts), each
 * drawn with the operating system's CSPRNG, so a code is short to type and
 * read aloud yet one of 2^40. Guessing is slowed further by the per-address
 * limit on wrong codes (routes/classes.ts); uniqueness is the store's index.
 */
import { randomInt } from 'node:crypto';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../../protocol/classes.ts';

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++)
    code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

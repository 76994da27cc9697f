/**
 * Password hashing: scrypt from Node's crypto (OpenSSL's implementation, kept
 * up to date with Node itself). Why scrypt and not Argon2id, OWASP's first
 * choice: Node's `crypto.argon2` arrived in Node 24.7 and we run on 22.18, and
 * the npm Argon2 packages are native add-ons, which this project avoids (it
 * chose node:sqlite over a compiled driver for the same reason: nothing to
 * build or download per platform). scrypt is OWASP's listed alternative and
 * memory-hard too.
 *
 * Parameters: OWASP's Password Storage Cheat Sheet gives equal-strength scrypt
 * settings from N=2^17, r=8, p=1 (128 MiB) down to N=2^13, r=8, p=10 (8 MiB).
 * We take N=2^15, r=8, p=3: 32 MiB for a hash, held only while it runs (0.2 to
 * 0.3 s on one core of a small cloud machine: p rounds one after another). The server idles
 * at about 80 MB, so at most two hashes run at once (64 MiB at the worst);
 * further sign-ins wait their turn, and the sign-in rate limits keep that line
 * short. The parameters travel with each hash as a PHC string
 * (`$scrypt$ln=15,r=8,p=3$salt$hash`), so raising them later only changes new
 * hashes, and a sign-in with an older one rehashes it (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

interface ScryptParams {
  /** log2 of N, the CPU and memory cost. */
  ln: number;
  r: number;
  p: number;
}

export const CURRENT_PARAMS: Readonly<ScryptParams> = { ln: 15, r: 8, p: 3 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Hashes that may run at once: each holds 128·N·r bytes (32 MiB now) while it runs. */
const MAX_CONCURRENT = 2;

export class PasswordHashError extends Error {}

/** The memory one hash needs: 128·N·r, and a little more for OpenSSL's bookkeeping. */
const memoryOf = ({ ln, r, p }: ScryptParams) => 128 * 2 ** ln * r + 128 * r * p + 1024 * 1024;

let running = 0;
const waiting: (() => void)[] = [];

/** Runs scrypt when a slot is free: sign-ins beyond MAX_CONCURRENT wait instead of adding memory. */
async function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const options: ScryptOptions = {
      N: 2 ** params.ln,
      r: params.r,
      p: params.p,
      maxmem: memoryOf(params),
    };
    // NFKC: the same password typed on two keyboards (composed or decomposed accents) is one password.
    return await new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) =>
        error ? reject(error) : resolve(key),
      ),
    );
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, CURRENT_PARAMS);
  const { ln, r, p } = CURRENT_PARAMS;
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parse(phc: string): { params: ScryptParams; salt: Buffer; key: Buffer } {
  const match = PHC.exec(phc);
  if (!match) throw new PasswordHashError('the stored password hash is not a scrypt PHC string');
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  // Bounds: a hash edited in the database must not make a sign-in ask for gigabytes.
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1)
    throw new PasswordHashError(
      `the stored password hash has unusable parameters (${phc.split('$')[2]})`,
    );
  return { params, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

export interface Verdict {
  matches: boolean;
  /** The hash was made with weaker parameters than today's: store a new one. */
  needsRehash: boolean;
}

/** Compares in constant time; the work is the same whether the password is right or not. */
export async function verifyPassword(password: string, phc: string): Promise<Verdict> {
  const { params, salt, key } = parse(phc);
  const derived = await derive(password, salt, params);
  const matches = derived.length === key.length && timingSafeEqual(derived, key);
  const needsRehash =
    params.ln < CURRENT_PARAMS.ln || params.r < CURRENT_PARAMS.r || params.p < CURRENT_PARAMS.p;
  return { matches, needsRehash };
}

let decoy: Promise<string> | undefined;

/**
 * Spends what verifying a password costs, against a hash nobody has: a sign-in
 * for an unknown user (or one without a password) takes as long as a wrong
 * password, so the time of the answer does not tell which usernames exist.
 */
export async function verifyNothing(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
}

/**
 * Who may see which preview, free of HTTP. A preview is one port of one session,
 * served on a host named by 130 random bits. The learner's lab page, holding the
 * session's token, asks for a link with a one-time code; the browser that opens
 * it trades the code for a secret it keeps in a cookie of that host only. A
 * preview's requests then need that cookie: knowing its address is not enough.
 * Only SHA-256 of codes and secrets is kept, in memory: a restarted server asks
 * learners to open their previews again.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a link works (once): the page opens it at once. */
export const LINK_LIFETIME_MS = 60_000;
const EXPIRED_KEPT_MS = 10 * 60_000;
/** Browsers one preview remembers (each open adds one; the oldest goes). */
const SECRETS_PER_PREVIEW = 10;

export interface Preview {
  /** Its host's first label. */
  name: string;
  sessionId: string;
  port: number;
}

export type LinkRefusal = 'unknown' | 'used' | 'expired';
export type AccessRefusal = 'no-preview' | 'no-cookie' | 'wrong-cookie';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Lower-case base32 (RFC 4648's alphabet): fits a DNS label, which ignores case. */
function randomName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(26);
  return Array.from(bytes, (b) => alphabet[b & 31]).join('');
}

interface Entry extends Preview {
  secrets: Buffer[];
}

interface Code {
  name: string;
  expiresAt: number;
  used: boolean;
}

export class PreviewGrants {
  private readonly byName = new Map<string, Entry>();
  private readonly bySessionPort = new Map<string, Entry>();
  private readonly codes = new Map<string, Code>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** A one-time link to the session's preview of `port` (the same host each time). */
  link(sessionId: string, port: number): { preview: Preview; code: string; expiresAt: Date } {
    this.dropExpiredCodes();
    const key = `${sessionId}:${port}`;
    let entry = this.bySessionPort.get(key);
    if (!entry) {
      entry = { name: randomName(), sessionId, port, secrets: [] };
      this.bySessionPort.set(key, entry);
      this.byName.set(entry.name, entry);
    }
    const code = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + LINK_LIFETIME_MS;
    this.codes.set(sha256(code).toString('hex'), { name: entry.name, expiresAt, used: false });
    return { preview: this.view(entry), code, expiresAt: new Date(expiresAt) };
  }

  /** Trades a link's code, on the preview's host `name`, for the secret its cookie keeps. */
  redeem(
    name: string,
    code: string,
  ): { secret: string; preview: Preview } | { refused: LinkRefusal } {
    const hash = sha256(code).toString('hex');
    const found = this.codes.get(hash);
    const entry = this.byName.get(name);
    // A code for another preview is as good as none: it opens only the host it was made for.
    if (!found || found.name !== name || !entry) return { refused: 'unknown' };
    if (found.used) return { refused: 'used' };
    if (found.expiresAt <= this.now()) return { refused: 'expired' };
    found.used = true;
    const secret = randomBytes(32).toString('base64url');
    entry.secrets.push(sha256(secret));
    if (entry.secrets.length > SECRETS_PER_PREVIEW) entry.secrets.shift();
    return { secret, preview: this.view(entry) };
  }

  /** The preview on host `name`, if one of `secrets` (the request's cookies) opens it. */
  admit(name: string, secrets: string[]): { preview: Preview } | { refused: AccessRefusal } {
    const entry = this.byName.get(name);
    if (!entry) return { refused: 'no-preview' };
    if (secrets.length === 0) return { refused: 'no-cookie' };
    for (const secret of secrets) {
      const hash = sha256(secret);
      if (entry.secrets.some((kept) => timingSafeEqual(kept, hash)))
        return { preview: this.view(entry) };
    }
    return { refused: 'wrong-cookie' };
  }

  /** The session ended: its previews' hosts answer as unknown from now on. */
  forgetSession(sessionId: string): void {
    for (const [key, entry] of this.bySessionPort) {
      if (entry.sessionId !== sessionId) continue;
      this.bySessionPort.delete(key);
      this.byName.delete(entry.name);
    }
  }

  /** Expired codes are kept a while, so that a late click is told "expired", then dropped. */
  private dropExpiredCodes(): void {
    const now = this.now();
    for (const [hash, code] of this.codes)
      if (code.expiresAt + EXPIRED_KEPT_MS <= now) this.codes.delete(hash);
  }

  private view(entry: Entry): Preview {
    return { name: entry.name, sessionId: entry.sessionId, port: entry.port };
  }
}

/**
 * Per-tenant API tokens. A token is 32 random bytes shown once at creation; only its SHA-256 is stored.
 * A slow password hash would add nothing here: the secret has 256 bits of entropy, so a fast hash cannot be
 * brute-forced, and a fast hash lets every request look its token up by an index instead of scanning.
 */
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'attain_';
const TOKEN = /^attain_[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  /** The secret: shown to the user once, never stored or logged. */
  token: string;
  hash: string;
  /** A short, non-secret handle for lists and audit entries. */
  hint: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function issueToken(): IssuedToken {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), hint: token.slice(0, PREFIX.length + 6) };
}

/** Rejects obviously malformed tokens before a database round trip. */
export function looksLikeToken(value: string): boolean {
  return TOKEN.test(value);
}

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return m?.[1] ?? null;
}

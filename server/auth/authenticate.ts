/**
 * Bearer-token authentication. Tokens are created, stored (hashed) and revoked by the store's api-tokens
 * repository; this turns an `Authorization` header into the caller's Principal.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/repos/db.js';
import { findApiToken } from '../store/repos/api-tokens.js';
import type { Principal } from './principal.js';

/** The token's 256 random bits in base64url after the prefix; anything else is rejected without a query. */
const TOKEN_SHAPE = /^att_[A-Za-z0-9_-]{43}$/;

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  return m?.[1] ?? null;
}

/**
 * Recently seen tokens, so a burst of requests costs one lookup. Keyed by the token's hash (the secret itself is
 * never kept). An entry lives CACHE_MS: a revocation takes effect at once on the instance that revoked (it calls
 * `forgetToken`) and within CACHE_MS on the others.
 */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;
const cache = new Map<string, { principal: Principal | null; until: number }>();

export function forgetToken(tokenId: string): void {
  for (const [key, entry] of cache) if (entry.principal?.tokenId === tokenId) cache.delete(key);
}

/** The principal for an `Authorization` header, or null when it is missing, malformed, unknown or revoked. */
export async function principalFor(
  db: Db,
  authorization: string | undefined,
  nowMs = Date.now(),
): Promise<Principal | null> {
  const token = bearerToken(authorization);
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const key = createHash('sha256').update(token).digest('base64url');
  const hit = cache.get(key);
  if (hit && hit.until > nowMs) return hit.principal;
  const principal = await lookup(db, token);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { principal, until: nowMs + CACHE_MS });
  return principal;
}

async function lookup(db: Db, token: string): Promise<Principal | null> {
  const found = await findApiToken(db, token);
  if (!found) return null;
  return {
    tenantId: found.tenantId,
    role: found.role,
    payeeId: found.payeeId,
    tokenId: found.tokenId,
    actor: `token:${found.tokenId} (${found.role}${found.payeeId ? ` ${found.payeeId}` : ''})`,
  };
}

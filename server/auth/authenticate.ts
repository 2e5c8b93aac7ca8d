/**
 * Bearer-token authentication. Tokens are created, stored (hashed) and revoked by the store's api-tokens
 * repository; this turns an `Authorization` header into the caller's Principal.
 */
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

/** The principal for an `Authorization` header, or null when it is missing, malformed, unknown or revoked. */
export async function principalFor(db: Db, authorization: string | undefined): Promise<Principal | null> {
  const token = bearerToken(authorization);
  if (!token || !TOKEN_SHAPE.test(token)) return null;
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

import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { sha256Hex } from '../canonical-json.js';

/**
 * Per-tenant API tokens. Only a sha256 of the token is stored: the tokens are 256 random bits, so a fast hash
 * is enough (no password stretching needed) and a database leak yields nothing usable.
 */
export type Role = 'admin' | 'manager' | 'seller';

export interface ApiTokenPrincipal {
  tokenId: string;
  tenantId: string;
  role: Role;
  /** The payee the caller is (managers and sellers); null for admins not tied to a payee. */
  payeeId: string | null;
  name: string;
}

const PREFIX = 'att_';

export async function createApiToken(
  db: Db,
  tenantId: string,
  input: { name: string; role: Role; payeeId?: string | null },
): Promise<{ token: string; principal: ApiTokenPrincipal }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await db
    .insertInto('api_tokens')
    .values({
      tenant_id: tenantId,
      id,
      token_hash: sha256Hex(token),
      name: input.name,
      role: input.role,
      payee_id: input.payeeId ?? null,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return {
    token,
    principal: { tokenId: id, tenantId, role: input.role, payeeId: input.payeeId ?? null, name: input.name },
  };
}

/** The principal for a presented token, or undefined (unknown or revoked). Looked up by hash: no timing oracle on the secret. */
export async function findApiToken(db: Db, token: string): Promise<ApiTokenPrincipal | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'tenant_id', 'role', 'payee_id', 'name'])
    .where('token_hash', '=', sha256Hex(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { tokenId: row.id, tenantId: row.tenant_id, role: row.role, payeeId: row.payee_id, name: row.name };
}

export async function revokeApiToken(db: Db, tenantId: string, tokenId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function listApiTokens(
  db: Db,
  tenantId: string,
): Promise<Array<ApiTokenPrincipal & { createdAt: Date; revokedAt: Date | null }>> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'tenant_id', 'role', 'payee_id', 'name', 'created_at', 'revoked_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    tokenId: r.id,
    tenantId: r.tenant_id,
    role: r.role,
    payeeId: r.payee_id,
    name: r.name,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }));
}

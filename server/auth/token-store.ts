/** API tokens in the `api_tokens` table: create (returns the secret once), authenticate by hash, list, revoke. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import type { Principal, Role } from './principal.js';
import { bearerToken, hashToken, issueToken, looksLikeToken } from './tokens.js';

export interface CreatedToken {
  id: string;
  token: string;
  role: Role;
  payeeId: string | null;
  name: string;
}

export async function createApiToken(
  db: Kysely<Database>,
  input: { tenantId: string; role: Role; payeeId: string | null; name: string },
): Promise<CreatedToken> {
  if (input.role !== 'admin' && !input.payeeId) throw new Error(`[Attain] a ${input.role} token must name the payee it acts as`);
  const issued = issueToken();
  const id = randomUUID();
  await db
    .insertInto('api_tokens')
    .values({ tenant_id: input.tenantId, id, token_hash: issued.hash, name: input.name, role: input.role, payee_id: input.payeeId, last_used_at: null, revoked_at: null })
    .execute();
  return { id, token: issued.token, role: input.role, payeeId: input.payeeId, name: input.name };
}

export async function revokeApiToken(db: Kysely<Database>, tenantId: string, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function listApiTokens(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'payee_id', 'created_at', 'revoked_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
}

/** The principal for an `Authorization` header, or null when it is missing, malformed, unknown or revoked. */
export async function principalFor(db: Kysely<Database>, authorization: string | undefined): Promise<Principal | null> {
  const token = bearerToken(authorization);
  if (!token || !looksLikeToken(token)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .select(['tenant_id', 'id', 'role', 'payee_id', 'name'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return { tenantId: row.tenant_id, role: row.role, payeeId: row.payee_id, tokenId: row.id, actor: `token:${row.id} (${row.role}${row.payee_id ? ` ${row.payee_id}` : ''})` };
}

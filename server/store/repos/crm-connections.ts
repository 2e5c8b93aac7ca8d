import type { Db } from './db.js';
import type { TokenCipher } from '../../security/token-cipher.js';

/** CRM connections; tokens go through the cipher on the way in and out, never stored in clear. */
export interface CrmConnection {
  provider: 'hubspot' | 'salesforce';
  accountId: string;
  instanceUrl: string | null;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[];
  status: string;
}

export async function saveCrmConnection(
  db: Db,
  cipher: TokenCipher,
  tenantId: string,
  c: CrmConnection,
  now: Date,
): Promise<void> {
  const row = {
    tenant_id: tenantId,
    provider: c.provider,
    account_id: c.accountId,
    instance_url: c.instanceUrl,
    access_token_enc: cipher.encrypt(c.accessToken, tenantId),
    refresh_token_enc: c.refreshToken === null ? null : cipher.encrypt(c.refreshToken, tenantId),
    expires_at: c.expiresAt,
    scopes: JSON.stringify(c.scopes),
    status: c.status,
    updated_at: now,
  };
  await db
    .insertInto('crm_connections')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'provider']).doUpdateSet({ ...row }))
    .execute();
}

export async function getCrmConnection(
  db: Db,
  cipher: TokenCipher,
  tenantId: string,
  provider: CrmConnection['provider'],
): Promise<CrmConnection | undefined> {
  const r = await db
    .selectFrom('crm_connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    provider: r.provider,
    accountId: r.account_id,
    instanceUrl: r.instance_url,
    accessToken: cipher.decrypt(r.access_token_enc, tenantId),
    refreshToken: r.refresh_token_enc === null ? null : cipher.decrypt(r.refresh_token_enc, tenantId),
    expiresAt: r.expires_at,
    scopes: r.scopes,
    status: r.status,
  };
}

/** Which tenant a CRM account (portal / org) belongs to — webhooks arrive with the account id only. */
export async function findTenantByCrmAccount(
  db: Db,
  provider: CrmConnection['provider'],
  accountId: string,
): Promise<string | undefined> {
  const r = await db
    .selectFrom('crm_connections')
    .select('tenant_id')
    .where('provider', '=', provider)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r?.tenant_id;
}

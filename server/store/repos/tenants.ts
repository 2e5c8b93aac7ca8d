import { sql } from 'kysely';
import type { Db } from './db.js';

export interface Tenant {
  id: string;
  name: string;
  currency: string;
  fiscalYearStartMonth: number;
  settings: Record<string, unknown>;
}

export async function upsertTenant(
  db: Db,
  tenant: Omit<Tenant, 'settings'> & { settings?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('tenants')
    .values({
      tenant_id: tenant.id,
      name: tenant.name,
      currency: tenant.currency,
      fiscal_year_start_month: tenant.fiscalYearStartMonth,
      settings: JSON.stringify(tenant.settings ?? {}),
    })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        currency: eb.ref('excluded.currency'),
        fiscal_year_start_month: eb.ref('excluded.fiscal_year_start_month'),
        ...(tenant.settings ? { settings: eb.ref('excluded.settings') } : {}),
      })),
    )
    .execute();
}

export async function getTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  const row = await db.selectFrom('tenants').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  return (
    row && {
      id: row.tenant_id,
      name: row.name,
      currency: row.currency,
      fiscalYearStartMonth: row.fiscal_year_start_month,
      settings: row.settings,
    }
  );
}

export async function listTenantIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('tenants').select('tenant_id').orderBy('tenant_id').execute()).map((r) => r.tenant_id);
}

/** Merges `patch` into the tenant's settings (top-level keys); returns the settings before and after. */
export async function updateTenantSettings(
  db: Db,
  tenantId: string,
  patch: Record<string, unknown>,
): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> }> {
  const current = await db
    .selectFrom('tenants')
    .select('settings')
    .where('tenant_id', '=', tenantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const after = { ...current.settings, ...patch };
  await db
    .updateTable('tenants')
    .set({ settings: JSON.stringify(after) })
    .where('tenant_id', '=', tenantId)
    .execute();
  return { before: current.settings, after };
}

export async function tenantExists(db: Db, tenantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenants')
    .select(sql<number>`1`.as('one'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row !== undefined;
}

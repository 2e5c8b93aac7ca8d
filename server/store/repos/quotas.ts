import type { Quota } from '../../../src/data/index.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

/** Quotas per payee, period and component; amounts are NUMERIC, decimal strings in and out. */
function toQuota(r: { payee_id: string; period_id: string; component_id: string; amount: string }): Quota {
  return {
    payeeId: r.payee_id,
    periodId: r.period_id,
    amount: r.amount,
    ...(r.component_id ? { componentId: r.component_id } : {}),
  };
}

export async function upsertQuotas(db: Db, tenantId: string, quotas: readonly Quota[]): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'quotas',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'period_id', type: 'text' },
        { name: 'component_id', type: 'text' },
        { name: 'amount', type: 'numeric' },
      ],
      conflict: ['tenant_id', 'payee_id', 'period_id', 'component_id'],
    },
    quotas.map((q) => ({
      tenant_id: tenantId,
      payee_id: q.payeeId,
      period_id: q.periodId,
      component_id: q.componentId ?? '',
      amount: q.amount,
    })),
  );
}

/** Quotas, optionally only some payees and/or the periods of one fiscal year (ids start with the year). */
export async function listQuotas(
  db: Db,
  tenantId: string,
  filter: { payeeIds?: readonly string[]; year?: string } = {},
): Promise<Quota[]> {
  let q = db
    .selectFrom('quotas')
    .select(['payee_id', 'period_id', 'component_id', 'amount'])
    .where('tenant_id', '=', tenantId);
  if (filter.payeeIds) {
    if (filter.payeeIds.length === 0) return [];
    q = q.where('payee_id', 'in', filter.payeeIds);
  }
  if (filter.year) q = q.where('period_id', 'like', `${filter.year}%`);
  return (await q.orderBy('payee_id').orderBy('period_id').orderBy('component_id').execute()).map(toQuota);
}

export async function getQuota(
  db: Db,
  tenantId: string,
  key: { payeeId: string; periodId: string; componentId?: string },
): Promise<Quota | undefined> {
  const r = await db
    .selectFrom('quotas')
    .select(['payee_id', 'period_id', 'component_id', 'amount'])
    .where('tenant_id', '=', tenantId)
    .where('payee_id', '=', key.payeeId)
    .where('period_id', '=', key.periodId)
    .where('component_id', '=', key.componentId ?? '')
    .executeTakeFirst();
  return r && toQuota(r);
}

export async function deleteQuota(
  db: Db,
  tenantId: string,
  key: { payeeId: string; periodId: string; componentId?: string },
): Promise<boolean> {
  const r = await db
    .deleteFrom('quotas')
    .where('tenant_id', '=', tenantId)
    .where('payee_id', '=', key.payeeId)
    .where('period_id', '=', key.periodId)
    .where('component_id', '=', key.componentId ?? '')
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

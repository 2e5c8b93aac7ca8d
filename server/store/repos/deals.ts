import { sql } from 'kysely';
import type { Deal } from '../../../src/data/index.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

/**
 * Deal snapshots. The whole validated record is kept as JSONB (what the engine reads), with the columns the
 * store filters on beside it. `input_hash` covers every engine input (everything but the display name): an
 * upsert whose hash is unchanged writes nothing and reports nothing changed — that is what keeps our own CRM
 * write-back (which bumps modified dates) from triggering recalculation.
 */
export function dealInputHash(deal: Deal): string {
  const { name: _name, ...inputs } = deal;
  return sha256Hex(canonicalJson(inputs));
}

/** Payees a deal can credit directly: its owner and every split payee. */
export function dealPayeeIds(deal: Deal): string[] {
  const ids = new Set<string>();
  if (deal.ownerId) ids.add(deal.ownerId);
  for (const s of deal.splits ?? []) ids.add(s.payeeId);
  return [...ids];
}

export interface DealChange {
  /** The stored deal before this upsert (null: new). */
  before: Deal | null;
  after: Deal;
}

const dealColumns = [
  { name: 'tenant_id', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'owner_id', type: 'text' },
  { name: 'amount', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'close_date', type: 'date' },
  { name: 'cancelled_date', type: 'date' },
  { name: 'data', type: 'jsonb' },
  { name: 'input_hash', type: 'text' },
];

/**
 * Upserts deals and returns the ones whose engine inputs changed (new or different hash), with their previous
 * state so the caller can work out every partition touched (a deal moving from Anna to Bo touches both).
 * Run it inside a transaction when the before/after pairs must be exact under concurrent writers.
 */
export async function upsertDeals(db: Db, tenantId: string, deals: readonly Deal[], options: { chunkSize?: number } = {}): Promise<DealChange[]> {
  const chunkSize = options.chunkSize ?? 2000;
  const changes: DealChange[] = [];
  for (let i = 0; i < deals.length; i += chunkSize) {
    const chunk = [...new Map(deals.slice(i, i + chunkSize).map((d) => [d.id, d])).values()];
    const previous = new Map<string, Deal>();
    const prevRows = await db
      .selectFrom('deals')
      .select(['id', 'data'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', sql<string>`ANY(${chunk.map((d) => d.id)}::text[])`)
      .execute();
    for (const r of prevRows) previous.set(r.id, r.data as unknown as Deal);

    const changed = await bulkUpsert<{ id: string }>(
      db,
      { table: 'deals', columns: dealColumns, conflict: ['tenant_id', 'id'], updateWhere: '"deals"."input_hash" <> excluded."input_hash" OR "deals"."data" <> excluded."data"', returning: ['id'], chunkSize },
      chunk.map((d) => ({
        tenant_id: tenantId,
        id: d.id,
        owner_id: d.ownerId,
        amount: d.amount,
        currency: d.currency,
        status: d.status,
        close_date: d.closeDate,
        cancelled_date: d.cancelledDate ?? null,
        data: d,
        input_hash: dealInputHash(d),
      })),
    );
    const byId = new Map(chunk.map((d) => [d.id, d]));
    const changedDeals: Deal[] = [];
    for (const { id } of changed) {
      const after = byId.get(id)!;
      const before = previous.get(id) ?? null;
      if (before === null || dealInputHash(before) !== dealInputHash(after)) changes.push({ before, after });
      changedDeals.push(after);
    }
    await replaceDealPayees(db, tenantId, changedDeals);
  }
  return changes;
}

async function replaceDealPayees(db: Db, tenantId: string, deals: readonly Deal[]): Promise<void> {
  if (deals.length === 0) return;
  await db
    .deleteFrom('deal_payees')
    .where('tenant_id', '=', tenantId)
    .where('deal_id', '=', sql<string>`ANY(${deals.map((d) => d.id)}::text[])`)
    .execute();
  await bulkUpsert(
    db,
    {
      table: 'deal_payees',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'deal_id', type: 'text' },
      ],
      conflict: ['tenant_id', 'payee_id', 'deal_id'],
      update: [],
      chunkSize: 5000,
    },
    deals.flatMap((d) => dealPayeeIds(d).map((payeeId) => ({ tenant_id: tenantId, payee_id: payeeId, deal_id: d.id }))),
  );
}

export async function getDeal(db: Db, tenantId: string, id: string): Promise<Deal | undefined> {
  const r = await db.selectFrom('deals').select('data').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return r?.data as Deal | undefined;
}

/**
 * Deals that can credit any of `payeeIds` and matter for the date range: closed in it, cancelled in it
 * (clawbacks), or still open (forecast and estimates). Without `payeeIds`: every deal of the tenant in range.
 */
export async function listDeals(db: Db, tenantId: string, filter: { payeeIds?: readonly string[]; from?: string; to?: string } = {}): Promise<Deal[]> {
  let q = db.selectFrom('deals').select('deals.data').where('deals.tenant_id', '=', tenantId);
  if (filter.payeeIds) {
    if (filter.payeeIds.length === 0) return [];
    const ids = filter.payeeIds;
    q = q.where('deals.id', 'in', (eb) => eb.selectFrom('deal_payees').select('deal_id').where('tenant_id', '=', tenantId).where('payee_id', 'in', ids));
  }
  const { from, to } = filter;
  if (from && to) {
    q = q.where((eb) =>
      eb.or([
        eb.between('deals.close_date', from, to),
        eb.between('deals.cancelled_date', from, to),
        eb.and([eb('deals.status', '=', 'open'), eb.or([eb('deals.close_date', 'is', null), eb('deals.close_date', '>=', from)])]),
      ]),
    );
  }
  const rows = await q.orderBy('deals.id').execute();
  return rows.map((r) => r.data as unknown as Deal);
}

export async function countDeals(db: Db, tenantId: string): Promise<number> {
  const r = await db.selectFrom('deals').select(sql<string>`count(*)`.as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteDeal(db: Db, tenantId: string, id: string): Promise<Deal | undefined> {
  const r = await db.deleteFrom('deals').where('tenant_id', '=', tenantId).where('id', '=', id).returning('data').executeTakeFirst();
  await db.deleteFrom('deal_payees').where('tenant_id', '=', tenantId).where('deal_id', '=', id).execute();
  return r?.data as Deal | undefined;
}

/**
 * The durable "needs recalculation and write-back" set (table crm_dirty): (payee, fiscal year) partitions to
 * recalculate and deals whose written values to refresh. A change is marked in the transaction that stores
 * it; the publish step clears only what it finished, so a crash between sync and write-back never loses work.
 */
import { sql } from 'kysely';
import type { Db } from '../store/index.js';

export interface PartitionKey {
  payeeId: string;
  year: string;
}

export interface DirtySet {
  dealIds: string[];
  partitions: PartitionKey[];
  /** Database time of the newest mark read; clearing up to it keeps marks made later. */
  upTo: Date | null;
}

const encode = (p: PartitionKey) => `${p.year}/${p.payeeId}`;
function decode(id: string): PartitionKey {
  const slash = id.indexOf('/');
  return { year: id.slice(0, slash), payeeId: id.slice(slash + 1) };
}

export async function markDirty(
  db: Db,
  tenantId: string,
  keys: { dealIds?: readonly string[]; partitions?: readonly PartitionKey[] },
): Promise<void> {
  const rows = [...new Set(keys.dealIds ?? [])].map((id) => ({ kind: 'deal', id }));
  rows.push(...[...new Set((keys.partitions ?? []).map(encode))].map((id) => ({ kind: 'partition', id })));
  if (rows.length === 0) return;
  await sql`
    INSERT INTO crm_dirty (tenant_id, kind, id, marked_at)
    SELECT ${tenantId}, r.kind, r.id, clock_timestamp() FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(kind text, id text)
    ON CONFLICT (tenant_id, kind, id) DO UPDATE SET marked_at = excluded.marked_at`.execute(db);
}

export async function readDirty(db: Db, tenantId: string): Promise<DirtySet> {
  const r = await sql<{
    kind: string;
    id: string;
    marked_at: Date;
  }>`SELECT kind, id, marked_at FROM crm_dirty WHERE tenant_id = ${tenantId} ORDER BY kind, id`.execute(db);
  const out: DirtySet = { dealIds: [], partitions: [], upTo: null };
  for (const row of r.rows) {
    if (row.kind === 'deal') out.dealIds.push(row.id);
    else out.partitions.push(decode(row.id));
    if (!out.upTo || row.marked_at > out.upTo) out.upTo = row.marked_at;
  }
  return out;
}

/** Clears the marks that were read; a mark renewed after `upTo` (a newer change) stays. */
export async function clearDirty(db: Db, tenantId: string, set: DirtySet): Promise<void> {
  if (!set.upTo) return;
  await sql`DELETE FROM crm_dirty WHERE tenant_id = ${tenantId} AND marked_at <= ${set.upTo}`.execute(db);
}

export async function countDirty(db: Db, tenantId: string): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM crm_dirty WHERE tenant_id = ${tenantId}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function replaceDealContacts(db: Db, tenantId: string, contacts: Record<string, string[]>): Promise<void> {
  const dealIds = Object.keys(contacts);
  if (dealIds.length === 0) return;
  await sql`DELETE FROM deal_contacts WHERE tenant_id = ${tenantId} AND deal_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(dealIds)}::jsonb))`.execute(
    db,
  );
  const rows = Object.entries(contacts).flatMap(([deal, ids]) => [...new Set(ids)].map((c) => ({ d: deal, c })));
  if (rows.length === 0) return;
  await sql`
    INSERT INTO deal_contacts (tenant_id, deal_id, contact_id)
    SELECT ${tenantId}, r.d, r.c FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(d text, c text)
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function listDealContacts(db: Db, tenantId: string, dealId: string): Promise<string[]> {
  const r = await sql<{
    contact_id: string;
  }>`SELECT contact_id FROM deal_contacts WHERE tenant_id = ${tenantId} AND deal_id = ${dealId} ORDER BY contact_id`.execute(
    db,
  );
  return r.rows.map((x) => x.contact_id);
}

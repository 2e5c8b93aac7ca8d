import { sql } from 'kysely';
import type { Deal } from '../../../src/data/index.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
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

/** Rows per statement: large enough that round trips do not matter, small enough to keep one chunk's arrays a few MB. */
const DEFAULT_CHUNK = 20_000;

const written = ['owner_id', 'amount', 'currency', 'status', 'close_date', 'cancelled_date', 'data', 'input_hash'];

/**
 * Upserts deals and returns the ones whose engine inputs changed (new or different hash), with their previous
 * state so the caller can work out every partition touched (a deal moving from Anna to Bo touches both).
 * Run it inside a transaction when the before/after pairs must be exact under concurrent writers.
 */
export async function upsertDeals(
  db: Db,
  tenantId: string,
  deals: readonly Deal[],
  options: { chunkSize?: number } = {},
): Promise<DealChange[]> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const changes: DealChange[] = [];
  for (let i = 0; i < deals.length; i += chunkSize) {
    // One statement may not touch a row twice: the last version of a deal in the chunk wins, as sequential upserts would.
    const chunk = [...new Map(deals.slice(i, i + chunkSize).map((d) => [d.id, d])).values()];
    const byId = new Map(chunk.map((d) => [d.id, d]));
    for (const row of await withoutJit(db, (trx) => upsertChunk(trx, tenantId, chunk)))
      changes.push({ before: row.before, after: byId.get(row.id)! });
  }
  return changes;
}

/**
 * The chunk statement's row estimates (joins of CTEs over tens of thousands of rows) make PostgreSQL's planner
 * JIT-compile it, which took longer than executing it (~0.8 s per chunk). JIT is switched off for that
 * statement only: inside the caller's transaction, or one opened here.
 */
async function withoutJit<T>(db: Db, run: (trx: Db) => Promise<T>): Promise<T> {
  if (!db.isTransaction) return db.transaction().execute((trx) => withoutJit(trx, run));
  await sql`SET LOCAL jit = off`.execute(db);
  const out = await run(db);
  await sql`SET LOCAL jit TO DEFAULT`.execute(db);
  return out;
}

/**
 * The whole upsert of a chunk in one statement (one round trip): the chunk arrives as one typed array per
 * column, expanded by `unnest` (amounts as text → NUMERIC, never JS numbers). `prev` reads the stored rows
 * from the statement's snapshot, i.e. as they were before the INSERT of the same statement; the INSERT … ON
 * CONFLICT writes only rows whose data differs; `moved` keeps those whose engine inputs changed, and their
 * deal_payees are brought in line by deleting only pairs that no longer hold and inserting only new ones
 * (sibling data-modifying CTEs must not touch the same rows; these two never do). Stored rows are looked up
 * one key at a time (LATERAL … OFFSET 0 keeps the subquery from being flattened into a join): with a join or
 * `= ANY(array)` the planner, misled by stale statistics during a large load, scanned the tenant's whole
 * table per chunk through a tenant-prefixed index, which made a million-deal load quadratic.
 */
async function upsertChunk(
  db: Db,
  tenantId: string,
  chunk: readonly Deal[],
): Promise<Array<{ id: string; before: Deal | null }>> {
  const pairDeals: string[] = [];
  const pairPayees: string[] = [];
  for (const d of chunk) {
    for (const payeeId of dealPayeeIds(d)) {
      pairDeals.push(d.id);
      pairPayees.push(payeeId);
    }
  }
  const ids = chunk.map((d) => d.id);
  const column = <T>(pick: (d: Deal) => T) => chunk.map(pick);
  const set = sql.raw(written.map((c) => `${c} = excluded.${c}`).join(', '));
  const names = sql.raw(written.join(', '));
  // The JSON travels as text[] and is parsed per row: a jsonb[] parameter cost ~50 % more to parse (measured on PGlite).
  const values = sql.raw(written.map((c) => (c === 'data' ? 'data::jsonb' : c)).join(', '));
  const result = await sql<{ id: string; before: Deal | null }>`
    WITH input AS (
      SELECT * FROM unnest(
        ${ids}::text[], ${column((d) => d.ownerId)}::text[], ${column((d) => d.amount)}::numeric[],
        ${column((d) => d.currency)}::text[], ${column((d) => d.status)}::text[], ${column((d) => d.closeDate ?? null)}::date[],
        ${column((d) => d.cancelledDate ?? null)}::date[], ${column((d) => JSON.stringify(d))}::text[], ${column(dealInputHash)}::text[]
      ) AS r(id, owner_id, amount, currency, status, close_date, cancelled_date, data, input_hash)
    ),
    prev AS (
      SELECT i.id, d.data, d.input_hash FROM unnest(${ids}::text[]) AS i(id)
      CROSS JOIN LATERAL (SELECT d.data, d.input_hash FROM deals d WHERE d.tenant_id = ${tenantId} AND d.id = i.id OFFSET 0) d
    ),
    up AS (
      INSERT INTO deals (tenant_id, id, ${names})
      SELECT ${tenantId}, id, ${values} FROM input
      ON CONFLICT (tenant_id, id) DO UPDATE SET ${set}
      WHERE deals.input_hash <> excluded.input_hash OR deals.data <> excluded.data
      RETURNING id, input_hash
    ),
    moved AS (
      SELECT up.id FROM up LEFT JOIN prev ON prev.id = up.id WHERE prev.id IS NULL OR prev.input_hash <> up.input_hash
    ),
    pairs AS (
      SELECT p.deal_id, p.payee_id FROM unnest(${pairDeals}::text[], ${pairPayees}::text[]) AS p(deal_id, payee_id)
      WHERE p.deal_id IN (SELECT id FROM moved)
    ),
    dropped AS (
      DELETE FROM deal_payees WHERE ctid = ANY(ARRAY(
        SELECT old.ctid FROM moved m JOIN prev ON prev.id = m.id
        CROSS JOIN LATERAL (SELECT dp.ctid, dp.payee_id FROM deal_payees dp WHERE dp.tenant_id = ${tenantId} AND dp.deal_id = m.id OFFSET 0) old
        WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.deal_id = m.id AND p.payee_id = old.payee_id)))
    ),
    added AS (
      INSERT INTO deal_payees (tenant_id, payee_id, deal_id) SELECT ${tenantId}, payee_id, deal_id FROM pairs ON CONFLICT DO NOTHING
    )
    SELECT m.id, prev.data AS before FROM moved m LEFT JOIN prev ON prev.id = m.id`.execute(db);
  return result.rows;
}
export async function getDeal(db: Db, tenantId: string, id: string): Promise<Deal | undefined> {
  const r = await db
    .selectFrom('deals')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.data as Deal | undefined;
}

/**
 * Deals that can credit any of `payeeIds` and matter for the date range: closed in it, cancelled in it
 * (clawbacks), or still open (forecast and estimates). Without `payeeIds`: every deal of the tenant in range.
 */
export async function listDeals(
  db: Db,
  tenantId: string,
  filter: { payeeIds?: readonly string[]; from?: string; to?: string } = {},
): Promise<Deal[]> {
  let q = db.selectFrom('deals').select('deals.data').where('deals.tenant_id', '=', tenantId);
  if (filter.payeeIds) {
    if (filter.payeeIds.length === 0) return [];
    const ids = filter.payeeIds;
    q = q.where('deals.id', 'in', (eb) =>
      eb.selectFrom('deal_payees').select('deal_id').where('tenant_id', '=', tenantId).where('payee_id', 'in', ids),
    );
  }
  const { from, to } = filter;
  if (from && to) {
    q = q.where((eb) =>
      eb.or([
        eb.between('deals.close_date', from, to),
        eb.between('deals.cancelled_date', from, to),
        eb.and([
          eb('deals.status', '=', 'open'),
          eb.or([eb('deals.close_date', 'is', null), eb('deals.close_date', '>=', from)]),
        ]),
      ]),
    );
  }
  const rows = await q.orderBy('deals.id').execute();
  return rows.map((r) => r.data as unknown as Deal);
}

/** The months (YYYY-MM) in which the tenant's deals close or are cancelled: the years with deal data, without loading deals. */
export async function dealMonths(db: Db, tenantId: string): Promise<string[]> {
  const r = await sql<{ month: string }>`
    SELECT DISTINCT to_char(v.d, 'YYYY-MM') AS month
    FROM deals, LATERAL (VALUES (close_date), (cancelled_date)) AS v(d)
    WHERE tenant_id = ${tenantId} AND v.d IS NOT NULL
    ORDER BY 1`.execute(db);
  return r.rows.map((row) => row.month);
}

export async function countDeals(db: Db, tenantId: string): Promise<number> {
  const r = await db
    .selectFrom('deals')
    .select(sql<string>`count(*)`.as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteDeal(db: Db, tenantId: string, id: string): Promise<Deal | undefined> {
  const r = await db
    .deleteFrom('deals')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returning('data')
    .executeTakeFirst();
  await db.deleteFrom('deal_payees').where('tenant_id', '=', tenantId).where('deal_id', '=', id).execute();
  return r?.data as Deal | undefined;
}

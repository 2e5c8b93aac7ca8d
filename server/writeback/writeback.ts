/**
 * Write-back of deal results: only values that differ from the last value written (writeback_state), in
 * batches of the CRM's maximum (100), through the connector (which owns the per-portal limiter shared with
 * sync and the retries on 429/5xx/timeouts).
 *
 * Idempotent and resumable: before a batch is sent its exact values — the lastCalculatedAt stamp included —
 * are recorded in writeback_outbox. A record leaves the outbox only once HubSpot confirmed it (its values
 * then become the "last written" state) or refused it for good. A restarted process first resends what the
 * outbox holds, unchanged, so a batch whose answer was lost is repeated with the same values: HubSpot ends in
 * the same state and no property is ever written with a different value twice.
 */
import { sql } from 'kysely';
import type { CrmConnector, DealWrite, PropertyProblem, ResultField, WriteResult } from '../crm/port.js';
import { getWrittenValues, recordWrittenValues, type Db, type WrittenValue } from '../store/index.js';
import { VALUE_FIELDS, type DealValues } from './deal-results.js';

export const BATCH_SIZE = 100;
const CRM = 'hubspot';
const OBJECT = 'deal';

export interface WriteBackReport {
  /** Records HubSpot confirmed, with the values sent. */
  written: DealWrite[];
  /** Records that failed for good (removed from the outbox) or stay queued for the next run (retryable). */
  failed: Array<Extract<WriteResult, { ok: false }>>;
  /** Deals whose values were already in HubSpot. */
  unchanged: number;
  /** Outbox records from an earlier, interrupted run that were sent first. */
  resumed: number;
  /** Property problems found before writing; when not empty nothing was written. */
  problems: PropertyProblem[];
}

export interface WriteBackOptions {
  db: Db;
  tenantId: string;
  connector: Pick<CrmConnector, 'checkProperties' | 'writeDealProperties'>;
  now: () => Date;
  /** Called after each batch is settled (tests kill the process between batches). */
  afterBatch?: (batch: { sent: number; ok: number }) => Promise<void> | void;
}

interface OutboxRow {
  record_id: string;
  values: Partial<Record<ResultField, string | null>>;
}

async function readOutbox(db: Db, tenantId: string): Promise<DealWrite[]> {
  const r =
    await sql<OutboxRow>`SELECT record_id, "values" FROM writeback_outbox WHERE tenant_id = ${tenantId} AND crm = ${CRM} ORDER BY record_id`.execute(
      db,
    );
  return r.rows.map((row) => ({ dealId: row.record_id, values: row.values }));
}

async function addToOutbox(db: Db, tenantId: string, writes: readonly DealWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const rows = writes.map((w) => ({ id: w.dealId, v: w.values }));
  await sql`
    INSERT INTO writeback_outbox (tenant_id, crm, record_id, "values")
    SELECT ${tenantId}, ${CRM}, r.id, r.v FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id text, v jsonb)
    ON CONFLICT (tenant_id, crm, record_id) DO NOTHING`.execute(db);
}

async function removeFromOutbox(db: Db, tenantId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`DELETE FROM writeback_outbox WHERE tenant_id = ${tenantId} AND crm = ${CRM} AND record_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`.execute(
    db,
  );
}

async function noteFailure(
  db: Db,
  tenantId: string,
  failures: ReadonlyArray<Extract<WriteResult, { ok: false }>>,
): Promise<void> {
  for (const f of failures) {
    await sql`UPDATE writeback_outbox SET attempts = attempts + 1, last_error = ${`${f.category}: ${f.message}`} WHERE tenant_id = ${tenantId} AND crm = ${CRM} AND record_id = ${f.dealId}`.execute(
      db,
    );
  }
}

/** The changed fields of each deal against the last written values; lastCalculatedAt joins any change. */
export async function diffAgainstWritten(
  db: Db,
  tenantId: string,
  desired: ReadonlyMap<string, DealValues>,
  at: Date,
): Promise<{ writes: DealWrite[]; unchanged: number }> {
  const ids = [...desired.keys()];
  const last = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 5000) {
    for (const w of await getWrittenValues(db, tenantId, CRM, OBJECT, ids.slice(i, i + 5000)))
      last.set(`${w.recordId}\u0000${w.property}`, w.value);
  }
  const writes: DealWrite[] = [];
  let unchanged = 0;
  for (const [dealId, values] of desired) {
    const changed: Partial<Record<ResultField, string | null>> = {};
    for (const field of VALUE_FIELDS) {
      const key = `${dealId}\u0000${field}`;
      const value = values[field];
      // Never written and empty: HubSpot's property is empty too.
      if (!last.has(key) && value === null) continue;
      if (last.get(key) !== value) changed[field] = value;
    }
    if (Object.keys(changed).length === 0) {
      unchanged++;
      continue;
    }
    writes.push({ dealId, values: { ...changed, lastCalculatedAt: at.toISOString() } });
  }
  writes.sort((a, b) => a.dealId.localeCompare(b.dealId));
  return { writes, unchanged };
}

async function sendBatches(
  options: WriteBackOptions,
  writes: readonly DealWrite[],
  report: WriteBackReport,
): Promise<void> {
  const { db, tenantId, connector } = options;
  const batches: DealWrite[][] = [];
  for (let i = 0; i < writes.length; i += BATCH_SIZE) batches.push(writes.slice(i, i + BATCH_SIZE));
  // The next batch is on its way while the previous one's confirmation is recorded: every intent is already
  // in the outbox, so overlapping the two changes nothing a crash could observe.
  const send = (batch: DealWrite[]) => {
    const p = connector.writeDealProperties(batch);
    p.catch(() => undefined);
    return p;
  };
  let inflight = batches[0] ? send(batches[0]) : null;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    const results = await inflight!;
    inflight = batches[b + 1] ? send(batches[b + 1]!) : null;
    const byId = new Map(batch.map((w) => [w.dealId, w]));
    const ok = results.filter((r): r is Extract<WriteResult, { ok: true }> => r.ok);
    const failed = results.filter((r): r is Extract<WriteResult, { ok: false }> => !r.ok);
    const confirmed: WrittenValue[] = ok.flatMap((r) =>
      Object.entries(byId.get(r.dealId)!.values).map(([property, value]) => ({
        crm: CRM,
        objectType: OBJECT,
        recordId: r.dealId,
        property,
        value: value ?? null,
      })),
    );
    const givenUp = failed.filter((f) => !f.retryable);
    await db.transaction().execute(async (trx) => {
      if (confirmed.length > 0) await recordWrittenValues(trx, tenantId, confirmed, options.now());
      await removeFromOutbox(trx, tenantId, [...ok.map((r) => r.dealId), ...givenUp.map((f) => f.dealId)]);
      await noteFailure(
        trx,
        tenantId,
        failed.filter((f) => f.retryable),
      );
    });
    report.written.push(...ok.map((r) => byId.get(r.dealId)!));
    report.failed.push(...failed);
    await options.afterBatch?.({ sent: batch.length, ok: ok.length });
  }
}

/**
 * Sends what an interrupted run left in the outbox, then the differences between `desired` and what HubSpot
 * was last given. Properties are checked first (exists, writable, right type): with a problem nothing is sent.
 */
export async function writeBackDeals(
  options: WriteBackOptions,
  desired: ReadonlyMap<string, DealValues>,
): Promise<WriteBackReport> {
  const { db, tenantId, connector, now } = options;
  const report: WriteBackReport = { written: [], failed: [], unchanged: 0, resumed: 0, problems: [] };
  const pending = await readOutbox(db, tenantId);
  if (pending.length === 0 && desired.size === 0) return report;
  report.problems = await connector.checkProperties();
  if (report.problems.length > 0) return report;

  report.resumed = pending.length;
  await sendBatches(options, pending, report);

  const { writes, unchanged } = await diffAgainstWritten(db, tenantId, desired, now());
  report.unchanged = unchanged;
  // Records still queued after a retryable failure keep their recorded values; they go again next run.
  const queued = new Set((await readOutbox(db, tenantId)).map((w) => w.dealId));
  const fresh = writes.filter((w) => !queued.has(w.dealId));
  await addToOutbox(db, tenantId, fresh);
  await sendBatches(options, fresh, report);
  return report;
}

export async function pendingWriteBacks(db: Db, tenantId: string): Promise<number> {
  const r = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM writeback_outbox WHERE tenant_id = ${tenantId} AND crm = ${CRM}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

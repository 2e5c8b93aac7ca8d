/**
 * Attainment records: where the portal has custom objects (Enterprise), one CRM record per payee and published
 * period (quarters and the year) with quota, credited, attainment (percent, as on the deal) and earnings, from
 * the published statements of the recalculated partitions. Like the deal write-back, only values that differ
 * from the last ones HubSpot confirmed (writeback_state, object type `attainment`) are sent.
 *
 * No outbox: a record is upserted by its unique key and its values come from the published results, so a run
 * whose answer was lost sends the same values again. Retryable failures are reported; the caller keeps the
 * dirty marks so the next run retries them. Whether the records are written or why not is kept for the
 * settings page (sync_checkpoints stream `attainment-records`).
 */
import { sql } from 'kysely';
import { attainmentKey, type AttainmentRecord, type AttainmentWriteResult, type CrmConnector } from '../crm/port.js';
import type { PartitionRef } from '../store/repos/results.js';
import {
  getSyncCheckpoint,
  getWrittenValues,
  recordWrittenValues,
  saveSyncCheckpoint,
  type Db,
} from '../store/index.js';
import type { PayeePeriodResult } from '../../src/engine/types.js';
import { attainmentPercent } from './deal-results.js';

const CRM = 'hubspot';
const OBJECT = 'attainment';
export const ATTAINMENT_STATUS_STREAM = 'attainment-records';
const VALUE_FIELDS = ['payeeName', 'currency', 'quota', 'credited', 'attainment', 'earnings'] as const;

export type AttainmentRecordsStatus = 'written' | 'unavailable';

export type AttainmentConnector = Pick<CrmConnector, 'writeAttainmentRecords'> &
  Partial<Pick<CrmConnector, 'capabilities'>>;

export interface AttainmentReport {
  status: AttainmentRecordsStatus;
  /** Records HubSpot confirmed, with the fields sent. */
  written: Array<Partial<AttainmentRecord> & Pick<AttainmentRecord, 'payeeId' | 'periodId'>>;
  unchanged: number;
  failed: Array<Extract<AttainmentWriteResult, { ok: false }>>;
}

/** Quarters and years; months (`2026-07`) stay on the statements. */
const isReportedPeriod = (periodId: string) => !/-\d{2}$/.test(periodId);

export function attainmentRecordOf(r: PayeePeriodResult): AttainmentRecord {
  return {
    payeeId: r.payeeId,
    payeeName: r.name,
    periodId: r.periodId,
    currency: r.currency,
    quota: r.quota,
    credited: r.credited,
    attainment: attainmentPercent(r.attainment),
    earnings: r.earnings,
  };
}

async function publishedSummaries(db: Db, tenantId: string, partitions: readonly PartitionRef[]) {
  const refs = JSON.stringify(partitions.map((p) => ({ payee_id: p.payeeId, year: String(p.year) })));
  const rows = await sql<{ summary: Omit<PayeePeriodResult, 'lines'> }>`
    SELECT r.summary FROM jsonb_to_recordset(${refs}::jsonb) AS want(payee_id text, year text)
    JOIN published_partitions pp ON pp.tenant_id = ${tenantId} AND pp.payee_id = want.payee_id AND pp.year = want.year
    JOIN payee_results r ON r.tenant_id = pp.tenant_id AND r.run_id = pp.run_id AND r.payee_id = pp.payee_id AND r.year = pp.year
    ORDER BY r.payee_id, r.period_id`.execute(db);
  return rows.rows
    .map((r) => ({ ...r.summary, lines: [] }) as PayeePeriodResult)
    .filter((r) => isReportedPeriod(r.periodId));
}

export async function writeAttainmentRecords(
  options: { db: Db; tenantId: string; connector: AttainmentConnector; now: () => Date },
  partitions: readonly PartitionRef[],
): Promise<AttainmentReport | null> {
  const { db, tenantId, connector } = options;
  // A connector that cannot tell its capabilities (a test double of the deal write-back) has no opinion here.
  if (!connector.capabilities) return null;
  const caps = await connector.capabilities();
  if (!caps.customObjects || !connector.writeAttainmentRecords) {
    await saveStatus(db, tenantId, 'unavailable', options.now());
    return { status: 'unavailable', written: [], unchanged: 0, failed: [] };
  }
  const report: AttainmentReport = { status: 'written', written: [], unchanged: 0, failed: [] };
  const desired = (await publishedSummaries(db, tenantId, partitions)).map(attainmentRecordOf);
  const keys = desired.map((r) => attainmentKey(r.payeeId, r.periodId));
  const last = new Map<string, string | null>();
  for (let i = 0; i < keys.length; i += 5000)
    for (const w of await getWrittenValues(db, tenantId, CRM, OBJECT, keys.slice(i, i + 5000)))
      last.set(`${w.recordId}\u0000${w.property}`, w.value);

  const writes: AttainmentReport['written'] = [];
  for (const record of desired) {
    const key = attainmentKey(record.payeeId, record.periodId);
    const changed: Partial<AttainmentRecord> = {};
    for (const f of VALUE_FIELDS) if (last.get(`${key}\u0000${f}`) !== record[f]) changed[f] = record[f];
    if (Object.keys(changed).length === 0) report.unchanged++;
    else writes.push({ payeeId: record.payeeId, periodId: record.periodId, ...changed });
  }
  if (writes.length > 0) {
    const byKey = new Map(writes.map((w) => [attainmentKey(w.payeeId, w.periodId), w]));
    const results = await connector.writeAttainmentRecords(writes);
    const ok = results.filter((r) => r.ok);
    await recordWrittenValues(
      db,
      tenantId,
      ok.flatMap((r) =>
        VALUE_FIELDS.flatMap((f) => {
          const value = byKey.get(r.key)![f];
          return value === undefined ? [] : [{ crm: CRM, objectType: OBJECT, recordId: r.key, property: f, value }];
        }),
      ),
      options.now(),
    );
    report.written.push(...ok.map((r) => byKey.get(r.key)!));
    report.failed.push(...results.filter((r): r is Extract<AttainmentWriteResult, { ok: false }> => !r.ok));
  }
  await saveStatus(db, tenantId, 'written', options.now());
  return report;
}

async function saveStatus(db: Db, tenantId: string, status: AttainmentRecordsStatus, at: Date): Promise<void> {
  await saveSyncCheckpoint(db, tenantId, CRM, ATTAINMENT_STATUS_STREAM, { status }, at);
}

/** What the last write-back found: records written, unavailable on this portal, or not known yet (null). */
export async function attainmentRecordsStatus(db: Db, tenantId: string): Promise<AttainmentRecordsStatus | null> {
  const s = (await getSyncCheckpoint(db, tenantId, CRM, ATTAINMENT_STATUS_STREAM))?.['status'];
  return s === 'written' || s === 'unavailable' ? s : null;
}

/**
 * Reads what readers may see: for each payee, the result of the run published for the period's partition.
 * A run in progress is invisible here until its publication switches `published_partitions` in one transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../store/repos/db.js';
import { yearOfPeriod } from '../store/repos/results.js';

export interface PublishedRow {
  payeeId: string;
  name: string;
  runId: string | null;
  publishedAt: Date | null;
  quota: string | null;
  credited: string | null;
  attainment: string | null;
  earnings: string | null;
}

/** Every payee of the given teams, with their published result for the period (null figures: not calculated yet). */
export async function publishedForTeams(
  db: Db,
  tenantId: string,
  teamIds: string[],
  periodId: string,
): Promise<PublishedRow[]> {
  const r = await sql<{
    payee_id: string;
    name: string;
    run_id: string | null;
    published_at: Date | null;
    quota: string | null;
    credited: string | null;
    attainment: string | null;
    earnings: string | null;
  }>`
    SELECT p.id AS payee_id, p.name, r.run_id, pp.published_at, r.quota, r.credited, r.attainment, r.earnings
    FROM payees p
    LEFT JOIN published_partitions pp ON pp.tenant_id = p.tenant_id AND pp.payee_id = p.id
    LEFT JOIN payee_results r ON r.tenant_id = pp.tenant_id AND r.run_id = pp.run_id AND r.payee_id = pp.payee_id
                              AND r.year = pp.year AND r.period_id = ${periodId}
    WHERE p.tenant_id = ${tenantId} AND p.team_id = ANY(${teamIds}::text[])
    ORDER BY p.name, p.id`.execute(db);
  // A payee has one published partition per fiscal year; keep the row that matched the period, if any.
  const byPayee = new Map<string, PublishedRow>();
  for (const row of r.rows) {
    const existing = byPayee.get(row.payee_id);
    if (existing && existing.runId !== null) continue;
    byPayee.set(row.payee_id, {
      payeeId: row.payee_id,
      name: row.name,
      runId: row.quota === null ? null : row.run_id,
      publishedAt: row.quota === null ? null : row.published_at,
      quota: row.quota,
      credited: row.credited,
      attainment: row.attainment,
      earnings: row.earnings,
    });
  }
  return [...byPayee.values()];
}

/**
 * One payee's summary view for the period — `{ payeeId, name, periodId, runId, publishedAt, result }` with the
 * payout lines (traces included) in engine order — built by ONE statement as JSON text: one consistent
 * snapshot through the partition pointer, one round trip, and no parse/serialise of the (large) lines in
 * Node on the hot path. Null when the tenant has no such payee.
 */
export async function payeeSummaryJson(
  db: Db,
  tenantId: string,
  payeeId: string,
  periodId: string,
): Promise<string | null> {
  const r = await sql<{ body: string }>`
    SELECT jsonb_build_object(
      'payeeId', p.id,
      'name', p.name,
      'periodId', ${periodId}::text,
      'runId', r.run_id,
      'publishedAt', CASE WHEN r.run_id IS NULL THEN NULL ELSE to_char(pp.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
      'result', CASE WHEN r.run_id IS NULL THEN NULL ELSE
        (r.summary - 'payeeId' - 'name' - 'periodId') || jsonb_build_object('lines', coalesce(
          (SELECT jsonb_agg(l.line ORDER BY l.ord) FROM payout_lines l
           WHERE l.tenant_id = r.tenant_id AND l.run_id = r.run_id AND l.payee_id = r.payee_id AND l.period_id = r.period_id),
          '[]'::jsonb))
      END
    )::text AS body
    FROM payees p
    LEFT JOIN published_partitions pp ON pp.tenant_id = p.tenant_id AND pp.payee_id = p.id AND pp.year = ${yearOfPeriod(periodId)}
    LEFT JOIN payee_results r ON r.tenant_id = pp.tenant_id AND r.run_id = pp.run_id AND r.payee_id = pp.payee_id AND r.period_id = ${periodId}
    WHERE p.tenant_id = ${tenantId} AND p.id = ${payeeId}`.execute(db);
  return r.rows[0]?.body ?? null;
}

/**
 * Reads what readers may see: for each payee, the result of the run published for the period's partition.
 * A run in progress is invisible here until its publication switches `published_partitions` in one transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../store/repos/db.js';
import type { PayeePeriodResult } from '../../src/engine/types.js';
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
export async function publishedForTeams(db: Db, tenantId: string, teamIds: string[], periodId: string): Promise<PublishedRow[]> {
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

export interface PayeeSummaryRow {
  payeeId: string;
  name: string;
  /** Null until a calculation covering the period is published. */
  published: { runId: string; publishedAt: Date; result: PayeePeriodResult } | null;
}

/**
 * One payee with their published result for the period, payout lines (with traces) in engine order, in ONE
 * statement: one consistent snapshot through the partition pointer, and one round trip on the hot path.
 * Null when the tenant has no such payee.
 */
export async function payeeSummary(db: Db, tenantId: string, payeeId: string, periodId: string): Promise<PayeeSummaryRow | null> {
  const r = await sql<{ id: string; name: string; run_id: string | null; published_at: Date | null; summary: Omit<PayeePeriodResult, 'lines'> | null; lines: PayeePeriodResult['lines'] | null }>`
    SELECT p.id, p.name, r.run_id, pp.published_at, r.summary,
      CASE WHEN r.run_id IS NULL THEN NULL ELSE
        (SELECT jsonb_agg(l.line ORDER BY l.ord) FROM payout_lines l
         WHERE l.tenant_id = r.tenant_id AND l.run_id = r.run_id AND l.payee_id = r.payee_id AND l.period_id = r.period_id)
      END AS lines
    FROM payees p
    LEFT JOIN published_partitions pp ON pp.tenant_id = p.tenant_id AND pp.payee_id = p.id AND pp.year = ${yearOfPeriod(periodId)}
    LEFT JOIN payee_results r ON r.tenant_id = pp.tenant_id AND r.run_id = pp.run_id AND r.payee_id = pp.payee_id AND r.period_id = ${periodId}
    WHERE p.tenant_id = ${tenantId} AND p.id = ${payeeId}`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const published =
    row.run_id && row.summary && row.published_at ? { runId: row.run_id, publishedAt: row.published_at, result: { ...row.summary, lines: row.lines ?? [] } } : null;
  return { payeeId: row.id, name: row.name, published };
}

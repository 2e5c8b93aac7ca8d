/**
 * Reads what readers may see: for each payee, the result of the run published for the period's partition.
 * A run in progress is invisible here until its publication switches `published_partitions` in one transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../store/repos/db.js';
import type { PayeePeriodResult } from '../../src/engine/types.js';
import { readPublishedResults, yearOfPeriod } from '../store/repos/results.js';

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

export interface PublishedSummary {
  runId: string;
  publishedAt: Date;
  result: PayeePeriodResult;
}

/** One payee's published result for the period with its payout lines and traces, or null. */
export async function publishedSummary(db: Db, tenantId: string, payeeId: string, periodId: string): Promise<PublishedSummary | null> {
  const [result] = await readPublishedResults(db, tenantId, { periodId, payeeIds: [payeeId], lines: true });
  if (!result) return null;
  const pointer = await db
    .selectFrom('published_partitions')
    .select(['run_id', 'published_at'])
    .where('tenant_id', '=', tenantId)
    .where('payee_id', '=', payeeId)
    .where('year', '=', yearOfPeriod(periodId))
    .executeTakeFirst();
  if (!pointer) return null;
  return { runId: pointer.run_id, publishedAt: pointer.published_at, result };
}

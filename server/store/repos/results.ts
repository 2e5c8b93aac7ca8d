import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DataWarning, PayeePeriodResult, PayoutLine } from '../../../src/engine/types.js';
import { recordAudit } from '../../audit/audit-log.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

/**
 * Calculation runs and their results. A run writes its rows under its own id, then — in ONE transaction —
 * its results, the switch of each (payee, fiscal year) partition's `published_partitions` pointer to it, its
 * status and its audit entry. Readers always go through the pointers, so they see the previous complete run
 * until that transaction commits, and never a half-written one (a run that died is left 'running' and is
 * never pointed at).
 */

export interface PartitionRef {
  payeeId: string;
  /** Fiscal year, "2026" (period ids carry their fiscal year as the first four characters). */
  year: string;
}

export function yearOfPeriod(periodId: string): string {
  return periodId.slice(0, 4);
}

export interface RunStart {
  kind: 'full' | 'partitions';
  partitions: PartitionRef[] | null;
  triggeredBy: string;
  /** The engine's "now" (YYYY-MM-DD). */
  asOf: string;
}

/** Records a run as started (committed on its own, so a crash mid-run leaves a visible 'running' row, never results). */
export async function beginRun(db: Db, tenantId: string, run: RunStart): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('calc_runs')
    .values({
      tenant_id: tenantId,
      id,
      kind: run.kind,
      status: 'running',
      partitions: JSON.stringify(run.partitions),
      triggered_by: run.triggeredBy,
      as_of: run.asOf,
      started_at: sql<Date>`clock_timestamp()`,
      finished_at: null,
      error: null,
      warnings: '[]',
    })
    .execute();
  return id;
}

export interface RunOutput {
  /** Results of the run's partitions (every period computed), lines included. */
  results: PayeePeriodResult[];
  /** The partitions this run publishes; each must be covered by `results` (a payee with no result still gets its pointer switched). */
  partitions: PartitionRef[];
  warnings: DataWarning[];
  finishedAt: Date;
  actor: string;
  /** Results already stored with `writeRunResults` (counted in the audit entry). */
  resultsWritten?: number;
}

/**
 * Writes results under a run's id without publishing them: readers go through the pointers, so these rows stay
 * invisible until `publishRun` moves the pointers (a large run writes its partitions in batches this way and
 * keeps the publishing transaction short).
 */
export async function writeRunResults(
  db: Db,
  tenantId: string,
  runId: string,
  results: readonly PayeePeriodResult[],
): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'payee_results',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'run_id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'period_id', type: 'text' },
        { name: 'year', type: 'text' },
        { name: 'quota', type: 'numeric' },
        { name: 'credited', type: 'numeric' },
        { name: 'attainment', type: 'numeric' },
        { name: 'earnings', type: 'numeric' },
        { name: 'summary', type: 'jsonb' },
      ],
      conflict: ['tenant_id', 'run_id', 'payee_id', 'period_id'],
      chunkSize: 1000,
    },
    results.map((r) => {
      const { lines: _lines, ...summary } = r;
      return {
        tenant_id: tenantId,
        run_id: runId,
        payee_id: r.payeeId,
        period_id: r.periodId,
        year: yearOfPeriod(r.periodId),
        quota: r.quota,
        credited: r.credited,
        attainment: r.attainment,
        earnings: r.earnings,
        summary,
      };
    }),
  );
  await bulkUpsert(
    db,
    {
      table: 'payout_lines',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'run_id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'period_id', type: 'text' },
        { name: 'ord', type: 'integer' },
        { name: 'line_id', type: 'text' },
        { name: 'kind', type: 'text' },
        { name: 'deal_id', type: 'text' },
        { name: 'amount', type: 'numeric' },
        { name: 'line', type: 'jsonb' },
      ],
      conflict: ['tenant_id', 'run_id', 'payee_id', 'period_id', 'ord'],
      chunkSize: 1000,
    },
    results.flatMap((r) =>
      r.lines.map((line, ord) => ({
        tenant_id: tenantId,
        run_id: runId,
        payee_id: r.payeeId,
        period_id: r.periodId,
        ord,
        line_id: line.id,
        kind: line.kind,
        deal_id: line.dealId ?? null,
        amount: line.amount,
        line,
      })),
    ),
  );
}

/** Writes `out.results` and publishes the run atomically. Pass a plain `db`: the transaction is opened here. */
export async function publishRun(db: Db, tenantId: string, runId: string, out: RunOutput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const run = await trx
      .selectFrom('calc_runs')
      .select('started_at')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    await writeRunResults(trx, tenantId, runId, out.results);
    await bulkUpsert(
      trx,
      {
        table: 'published_partitions',
        columns: [
          { name: 'tenant_id', type: 'text' },
          { name: 'payee_id', type: 'text' },
          { name: 'year', type: 'text' },
          { name: 'run_id', type: 'text' },
          { name: 'run_started_at', type: 'timestamptz' },
          { name: 'published_at', type: 'timestamptz' },
        ],
        conflict: ['tenant_id', 'payee_id', 'year'],
        updateWhere: '"published_partitions"."run_started_at" <= excluded."run_started_at"',
        chunkSize: 5000,
      },
      out.partitions.map((p) => ({
        tenant_id: tenantId,
        payee_id: p.payeeId,
        year: p.year,
        run_id: runId,
        run_started_at: run.started_at.toISOString(),
        published_at: out.finishedAt.toISOString(),
      })),
    );
    await trx
      .updateTable('calc_runs')
      .set({ status: 'published', finished_at: sql<Date>`clock_timestamp()`, warnings: JSON.stringify(out.warnings) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute();
    await recordAudit(trx, {
      tenantId,
      actor: out.actor,
      action: 'calc.run.published',
      entityType: 'calc_run',
      entityId: runId,
      before: null,
      after: {
        partitions: out.partitions.length,
        results: out.results.length + (out.resultsWritten ?? 0),
        warnings: out.warnings.length,
      },
      at: out.finishedAt,
    });
  });
}

/** Deletes the rows a failed run wrote (a run that dies outright leaves them to `pruneRuns`). */
export async function discardRunResults(db: Db, tenantId: string, runId: string): Promise<void> {
  await db.deleteFrom('payout_lines').where('tenant_id', '=', tenantId).where('run_id', '=', runId).execute();
  await db.deleteFrom('payee_results').where('tenant_id', '=', tenantId).where('run_id', '=', runId).execute();
}

export async function failRun(
  db: Db,
  tenantId: string,
  runId: string,
  error: string,
  at: Date,
  actor: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('calc_runs')
      .set({ status: 'failed', finished_at: sql<Date>`clock_timestamp()`, error })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .execute();
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'calc.run.failed',
      entityType: 'calc_run',
      entityId: runId,
      after: { error },
      at,
    });
  });
}

export interface PublishedQuery {
  periodId: string;
  payeeIds?: readonly string[];
  /** Include payout lines with their traces (default true). */
  lines?: boolean;
}

/** The published results for a period (one consistent snapshot: a single statement through the pointers). */
export async function readPublishedResults(
  db: Db,
  tenantId: string,
  query: PublishedQuery,
): Promise<PayeePeriodResult[]> {
  if (query.payeeIds && query.payeeIds.length === 0) return [];
  const year = yearOfPeriod(query.periodId);
  const payeeFilter = query.payeeIds ? sql`AND pp.payee_id = ANY(${[...query.payeeIds]}::text[])` : sql``;
  const withLines = query.lines ?? true;
  const rows = await sql<{ payee_id: string; summary: Omit<PayeePeriodResult, 'lines'>; lines: PayoutLine[] | null }>`
    SELECT r.payee_id, r.summary,
      ${
        withLines
          ? sql`(SELECT jsonb_agg(l.line ORDER BY l.ord) FROM payout_lines l
                 WHERE l.tenant_id = r.tenant_id AND l.run_id = r.run_id AND l.payee_id = r.payee_id AND l.period_id = r.period_id)`
          : sql`NULL::jsonb`
      } AS lines
    FROM published_partitions pp
    JOIN payee_results r ON r.tenant_id = pp.tenant_id AND r.run_id = pp.run_id AND r.payee_id = pp.payee_id AND r.period_id = ${query.periodId}
    WHERE pp.tenant_id = ${tenantId} AND pp.year = ${year} ${payeeFilter}
    ORDER BY r.payee_id`.execute(db);
  return rows.rows.map((r) => ({ ...r.summary, lines: r.lines ?? [] }) as PayeePeriodResult);
}

export interface CalcRunInfo {
  id: string;
  kind: 'full' | 'partitions';
  status: 'running' | 'published' | 'failed';
  partitions: PartitionRef[] | null;
  triggeredBy: string;
  asOf: string;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  warnings: DataWarning[];
}

export async function listCalcRuns(db: Db, tenantId: string, limit = 20): Promise<CalcRunInfo[]> {
  const rows = await db
    .selectFrom('calc_runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    partitions: r.partitions,
    triggeredBy: r.triggered_by,
    asOf: r.as_of,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    warnings: r.warnings as DataWarning[],
  }));
}

/** Deletes results of runs no partition points at any more (and runs abandoned mid-way), older than `olderThan`. */
export async function pruneRuns(db: Db, tenantId: string, olderThan: Date): Promise<number> {
  const r = await db
    .deleteFrom('calc_runs')
    .where('tenant_id', '=', tenantId)
    .where('started_at', '<', olderThan)
    .where('id', 'not in', (eb) =>
      eb.selectFrom('published_partitions').select('run_id').distinct().where('tenant_id', '=', tenantId),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

import type { Deal } from '../../src/data/index.js';
import type { DataWarning, PayeePeriodResult, TeamTotals } from '../../src/engine/types.js';
import { dec, ratio, sum, toDecimalString } from '../../src/money/index.js';
import {
  CALENDAR_YEAR,
  fiscalYearOf,
  periodsOfYear,
  type FiscalCalendar,
  type PeriodKind,
} from '../../src/time/index.js';
import type { Plan } from '../../src/plan/index.js';
import type { JobQueue, Partition } from '../jobs/queue.js';
import type { Db } from '../store/repos/db.js';
import { dealMonths, type DealChange } from '../store/repos/deals.js';
import { getTenant } from '../store/repos/tenants.js';
import { listPlans } from '../store/repos/plans.js';
import {
  beginRun,
  discardRunResults,
  failRun,
  publishRun,
  readPublishedResults,
  writeRunResults,
  type PartitionRef,
} from '../store/repos/results.js';
import type { CalcEngine } from './engine-port.js';
import { loadCalcInputs, needsWholeTeam, type CalcInputs } from './load-inputs.js';

/**
 * The recalculation service: loads a tenant's inputs from the store, runs the engine for (payee, fiscal year)
 * partitions, and publishes the results atomically (see store/repos/results.ts). Incremental recalculation
 * recomputes only the partitions a change touches — the engine names them — and must equal a full one.
 */

export interface RecalcOptions {
  /** The clock reading for this run: the engine's "as of" date and the run's timestamps. */
  now: Date;
  /** Who asked: a user/token id, 'system', 'job:recalc', 'cron:nightly'. */
  actor?: string;
  engine: CalcEngine;
  /** Called with the run id as soon as the run is recorded (before the engine runs), e.g. to answer an API call early. */
  onStarted?: (runId: string) => void;
}

export interface RecalcResult {
  runId: string;
  partitions: PartitionRef[];
  results: number;
  warnings: number;
}

function asOfDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

async function calendarOf(db: Db, tenantId: string, inputs: CalcInputs): Promise<FiscalCalendar> {
  const fromPlan = inputs.plans[0]?.calendar;
  if (fromPlan) return fromPlan;
  const tenant = await getTenant(db, tenantId);
  return tenant ? { fiscalYearStartMonth: tenant.fiscalYearStartMonth } : CALENDAR_YEAR;
}

/**
 * The statement periods results are published for: the year and its quarters always (the team table and the
 * cards ask for quarters), months only when some plan measures, pays bonuses or draws monthly. Every period
 * stores its own lines, so each extra period kind stores every line once more.
 */
export function statementPeriodKinds(plans: readonly Plan[]): PeriodKind[] {
  return JSON.stringify(plans).includes('"period":"month"') ? ['year', 'quarter', 'month'] : ['year', 'quarter'];
}

export function periodIdsOfYear(
  year: string,
  calendar: FiscalCalendar,
  kinds: readonly PeriodKind[] = ['year', 'quarter', 'month'],
): string[] {
  const fy = Number(year);
  return kinds.flatMap((kind) => periodsOfYear(fy, kind, calendar).map((p) => p.id));
}

function uniquePartitions(partitions: readonly PartitionRef[]): PartitionRef[] {
  return [
    ...new Map(partitions.map((p) => [`${p.payeeId}\u0000${p.year}`, { payeeId: p.payeeId, year: p.year }])).values(),
  ];
}

/** The engine's results for the wanted partitions (every statement period of their years). */
function calculatePartitions(
  inputs: CalcInputs,
  partitions: readonly PartitionRef[],
  calendar: FiscalCalendar,
  asOf: string,
  engine: CalcEngine,
): { results: PayeePeriodResult[]; warnings: DataWarning[] } {
  const payeeIds = [...new Set(partitions.map((p) => p.payeeId))];
  if (inputs.plans.length === 0 || payeeIds.length === 0) return { results: [], warnings: [] };
  const wanted = new Set(partitions.map((p) => `${p.payeeId}\u0000${p.year}`));
  const years = [...new Set(partitions.map((p) => p.year))].sort();
  const out = engine.calculate({
    plans: inputs.plans,
    data: inputs.data,
    asOf,
    periodIds: years.flatMap((y) => periodIdsOfYear(y, calendar, statementPeriodKinds(inputs.plans))),
    payeeIds,
  });
  return {
    results: out.results.filter((r) => wanted.has(`${r.payeeId}\u0000${r.periodId.slice(0, 4)}`)),
    warnings: out.warnings,
  };
}

async function runAndPublish(
  db: Db,
  tenantId: string,
  inputs: CalcInputs,
  partitions: PartitionRef[],
  options: RecalcOptions,
): Promise<RecalcResult> {
  const actor = options.actor ?? 'system';
  const asOf = asOfDate(options.now);
  const runId = await beginRun(db, tenantId, { kind: 'partitions', partitions, triggeredBy: actor, asOf });
  options.onStarted?.(runId);
  try {
    const calendar = await calendarOf(db, tenantId, inputs);
    const { results, warnings } = calculatePartitions(inputs, partitions, calendar, asOf, options.engine);
    await publishRun(db, tenantId, runId, { results, partitions, warnings, finishedAt: new Date(), actor });
    return { runId, partitions, results: results.length, warnings: warnings.length };
  } catch (error) {
    await failRun(db, tenantId, runId, (error as Error).message, new Date(), actor).catch(() => undefined);
    throw error;
  }
}

/** Recalculates the given partitions and publishes them in one transaction. */
export async function recalculatePartitions(
  db: Db,
  tenantId: string,
  partitions: readonly PartitionRef[],
  options: RecalcOptions,
): Promise<RecalcResult> {
  const unique = uniquePartitions(partitions);
  const inputs = await loadCalcInputs(db, tenantId, { payeeIds: [...new Set(unique.map((p) => p.payeeId))] });
  return runAndPublish(db, tenantId, inputs, unique, options);
}

/** The fiscal years a tenant's data speaks about: quota and payment periods, deal close and cancellation dates. */
async function activeYears(db: Db, tenantId: string, inputs: CalcInputs, calendar: FiscalCalendar): Promise<string[]> {
  const years = new Set<string>();
  for (const q of inputs.data.quotas) years.add(q.periodId.slice(0, 4));
  for (const p of inputs.data.payments) years.add(p.periodId.slice(0, 4));
  for (const month of await dealMonths(db, tenantId)) years.add(String(fiscalYearOf(`${month}-01`, calendar)));
  return [...years].sort();
}

/** Payees per batch of a full recalculation: bounds memory (deals loaded, results with traces) to a slice of the tenant. */
export const FULL_RUN_BATCH_PAYEES = 50;

/**
 * Full recalculation: every payee in every year with data, published atomically. Works through the payees in
 * batches — each batch loads only the deals its payees' partitions need (as an incremental run does; all deals,
 * loaded once, when a plan pays team pools or gates), runs the engine and writes its rows under the run's id —
 * so memory is bounded by a batch, not the tenant. The rows stay invisible until one short transaction at the
 * end switches every partition's pointer to the run; a run that dies before it is never pointed at.
 */
export async function recalculateTenant(
  db: Db,
  tenantId: string,
  options: RecalcOptions & { years?: string[]; batchPayees?: number },
): Promise<RecalcResult> {
  const actor = options.actor ?? 'system';
  const asOf = asOfDate(options.now);
  const base = await loadCalcInputs(db, tenantId, { deals: false });
  const calendar = await calendarOf(db, tenantId, base);
  const years = options.years ?? (await activeYears(db, tenantId, base, calendar));
  const payeeIds = base.data.payees.map((p) => p.id);
  const partitions = payeeIds.flatMap((payeeId) => years.map((year) => ({ payeeId, year })));
  const runId = await beginRun(db, tenantId, { kind: 'full', partitions: null, triggeredBy: actor, asOf });
  options.onStarted?.(runId);
  try {
    const whole = needsWholeTeam(base.plans) ? await loadCalcInputs(db, tenantId) : undefined;
    const warnings = new Map<string, DataWarning>();
    let written = 0;
    const size = options.batchPayees ?? FULL_RUN_BATCH_PAYEES;
    for (let i = 0; i < payeeIds.length; i += size) {
      const batch = payeeIds.slice(i, i + size);
      const inputs = whole ?? (await loadCalcInputs(db, tenantId, { payeeIds: batch }));
      const out = calculatePartitions(
        inputs,
        batch.flatMap((payeeId) => years.map((year) => ({ payeeId, year }))),
        calendar,
        asOf,
        options.engine,
      );
      await writeRunResults(db, tenantId, runId, out.results);
      written += out.results.length;
      // Each batch's engine run reports the data warnings it saw; the same warning from two batches is one.
      for (const w of out.warnings) warnings.set(JSON.stringify(w), w);
    }
    await publishRun(db, tenantId, runId, {
      results: [],
      resultsWritten: written,
      partitions,
      warnings: [...warnings.values()],
      finishedAt: new Date(),
      actor,
    });
    return { runId, partitions, results: written, warnings: warnings.size };
  } catch (error) {
    await discardRunResults(db, tenantId, runId).catch(() => undefined);
    await failRun(db, tenantId, runId, (error as Error).message, new Date(), actor).catch(() => undefined);
    throw error;
  }
}

/** The partitions a batch of deal changes (from upsertDeals) touches, as the engine names them. */
export async function partitionsForDealChanges(
  db: Db,
  tenantId: string,
  changes: readonly DealChange[],
  engine: CalcEngine,
): Promise<PartitionRef[]> {
  if (changes.length === 0) return [];
  const inputs = await loadCalcInputs(db, tenantId, { deals: false });
  const touched = changes.flatMap((c) => engine.touchedPartitions(inputs, c.before, c.after));
  return uniquePartitions(touched);
}

/** A deal removed from the CRM touches the partitions it used to credit. */
export async function partitionsForDealRemoval(
  db: Db,
  tenantId: string,
  removed: Deal,
  engine: CalcEngine,
): Promise<PartitionRef[]> {
  const inputs = await loadCalcInputs(db, tenantId, { deals: false });
  return uniquePartitions(engine.touchedPartitions(inputs, removed, null));
}

/** Queues partitions for the background worker (coalesced per partition; call after your transaction commits). */
export async function enqueueRecalc(
  queue: JobQueue,
  tenantId: string,
  partitions: readonly PartitionRef[],
): Promise<{ queued: number; coalesced: number }> {
  const counts = { queued: 0, coalesced: 0 };
  for (const p of uniquePartitions(partitions))
    counts[await queue.enqueue('recalc', { tenantId, payeeId: p.payeeId, year: p.year })]++;
  return counts;
}

/** Works the recalc queue in this process: each batch is grouped by tenant and published as one run per tenant. */
export async function startRecalcWorker(
  queue: JobQueue,
  db: Db,
  options: { engine: CalcEngine; clock?: () => Date },
): Promise<void> {
  const clock = options.clock ?? (() => new Date());
  await queue.work('recalc', async (partitions: Partition[]) => {
    const byTenant = new Map<string, PartitionRef[]>();
    for (const p of partitions)
      byTenant.set(p.tenantId, [...(byTenant.get(p.tenantId) ?? []), { payeeId: p.payeeId, year: p.year }]);
    for (const [tenantId, refs] of byTenant)
      await recalculatePartitions(db, tenantId, refs, { now: clock(), actor: 'job:recalc', engine: options.engine });
  });
}

/**
 * Team totals as the engine defines them (src/engine `teamTotals`): sum credited ÷ sum quota over individual
 * contributors — managers (payees someone reports to) are left out so roll-up credit is not counted twice —
 * and earnings of everyone, in the plan currency, shown with at least the plan's decimals.
 */
export function teamTotals(
  results: readonly PayeePeriodResult[],
  options: { managers: ReadonlySet<string>; currency: string; decimals: number },
): TeamTotals {
  const same = results.filter((r) => r.currency === options.currency);
  const contributors = same.filter((r) => !options.managers.has(r.payeeId));
  const quota = sum(contributors.map((r) => dec(r.quota)));
  const credited = sum(contributors.map((r) => dec(r.credited)));
  const earnings = sum(same.map((r) => dec(r.earnings)));
  return {
    quota: toDecimalString(quota),
    credited: toDecimalString(credited),
    attainment: toDecimalString(ratio(credited, quota)),
    earnings: toDecimalString(earnings, Math.max(options.decimals, earnings.decimalPlaces())),
  };
}

/** The team table for a period from published results (never recomputed per request). `payeeIds`: the team's members (default everyone). */
export async function readTeamAttainment(
  db: Db,
  tenantId: string,
  query: { periodId: string; payeeIds?: readonly string[] },
): Promise<{ payees: PayeePeriodResult[]; team: TeamTotals }> {
  const [payees, plans, managerRows] = await Promise.all([
    readPublishedResults(db, tenantId, { ...query, lines: false }),
    listPlans(db, tenantId),
    db
      .selectFrom('payees')
      .select('manager_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('manager_id', 'is not', null)
      .execute(),
  ]);
  const plan = plans[0]?.plan;
  const tenant = plan ? undefined : await getTenant(db, tenantId);
  const managers = new Set(managerRows.map((r) => r.manager_id!));
  return {
    payees,
    team: teamTotals(payees, {
      managers,
      currency: plan?.currency ?? tenant?.currency ?? 'DKK',
      decimals: plan?.rounding.decimals ?? 2,
    }),
  };
}

/**
 * CardData over the store and the engine. Estimates run the engine's `estimate` over the partition data of the
 * payees the deal can credit (loadCalcInputs loads their deals and everything small); period figures are the
 * published results, so cards show exactly what statements and the CRM write-back show.
 */
import { sql } from 'kysely';
import type { DataSet, Deal } from '../../../src/data/schema.js';
import type { DealEstimate } from '../../../src/engine/types.js';
import { dec } from '../../../src/money/decimal.js';
import type { Plan } from '../../../src/plan/index.js';
import {
  addMonths,
  periodContaining,
  periodsOfYear,
  parsePeriodId,
  versionInForce,
  type FiscalCalendar,
} from '../../../src/time/index.js';
import { listDeals } from '../../store/repos/deals.js';
import { managedPayeeIds } from '../../store/repos/hubspot-users.js';
import { listPayees, listTeams } from '../../store/repos/payees.js';
import { listFxRates, listPayments } from '../../store/repos/payments.js';
import { listQuotas } from '../../store/repos/quotas.js';
import type { Db } from '../../store/repos/db.js';
import { dealPayeeIds, getDeal } from '../../store/repos/deals.js';
import { findPayeeByCrmId, getPayee } from '../../store/repos/payees.js';
import { listAssignments } from '../../store/repos/assignments.js';
import { listPlans } from '../../store/repos/plans.js';
import { readPublishedResults, yearOfPeriod } from '../../store/repos/results.js';
import { getTenant } from '../../store/repos/tenants.js';
import { dataRevision } from '../../store/repos/data-revision.js';
import type { CardData, PeriodResults, WhatIf } from './data.js';
import { RevisionCache } from './revision-cache.js';
import type { SettlementStatus } from './view-models.js';

/** The engine's estimate, as the card API calls it. */
export type DealEstimator = (input: {
  plans: Plan[];
  data: DataSet;
  dealId: string;
  whatIf: WhatIf | null;
  asOf: string;
}) => DealEstimate;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

async function calendarOf(db: Db, tenantId: string): Promise<FiscalCalendar> {
  const t = await getTenant(db, tenantId);
  return { fiscalYearStartMonth: t?.fiscalYearStartMonth ?? 1 };
}

/** When the newest published partition among these payees for the fiscal year was published. */
async function publishedAt(
  db: Db,
  tenantId: string,
  payeeIds: readonly string[] | 'all',
  year: string,
): Promise<Date | null> {
  const filter = payeeIds === 'all' ? sql`` : sql`AND payee_id = ANY(${[...payeeIds]}::text[])`;
  const r = await sql<{
    at: Date | null;
  }>`SELECT max(published_at) AS at FROM published_partitions WHERE tenant_id = ${tenantId} AND year = ${year} ${filter}`.execute(
    db,
  );
  return r.rows[0]?.at ?? null;
}

/** The payees and everyone above them in the manager hierarchy (roll-up credit climbs the chain). */
async function withAncestors(db: Db, tenantId: string, ids: readonly string[]): Promise<string[]> {
  const r = await sql<{ id: string }>`
    WITH RECURSIVE up(id, manager_id, depth) AS (
      SELECT id, manager_id, 0 FROM payees WHERE tenant_id = ${tenantId} AND id = ANY(${[...ids]}::text[])
      UNION
      SELECT p.id, p.manager_id, u.depth + 1 FROM payees p JOIN up u ON p.id = u.manager_id
      WHERE p.tenant_id = ${tenantId} AND u.depth < 64
    )
    SELECT DISTINCT id FROM up`.execute(db);
  return r.rows.map((row) => row.id);
}

/**
 * The engine inputs an estimate for `deal` needs — the partition data of the payees it credits, not the tenant:
 * deals of the credited payees and everyone they manage (roll-ups and overrides look down the hierarchy, and an
 * override's team attainment is that same team); the records of every payee those deals name, plus their
 * managers. Only a team-pool SPIF makes a seller's pay depend on other sellers' deals; then the whole tenant is
 * loaded. (The recalculation's loader loads every deal whenever a plan has any team condition; for a card that
 * would be a million deals per request.)
 */
export async function estimateInputs(db: Db, tenantId: string, deal: Deal): Promise<{ plans: Plan[]; data: DataSet }> {
  const plans = (await listPlans(db, tenantId)).map((r) => r.plan);
  const pools = plans.some((p) => p.versions.some((v) => v.spifs.some((sp) => sp.payout.kind === 'teamPool')));
  if (pools) {
    const [payees, teams, assignments, quotas, payments, fxRates, deals] = await Promise.all([
      listPayees(db, tenantId),
      listTeams(db, tenantId),
      listAssignments(db, tenantId),
      listQuotas(db, tenantId),
      listPayments(db, tenantId),
      listFxRates(db, tenantId),
      listDeals(db, tenantId),
    ]);
    return { plans, data: { payees, teams, assignments, quotas, payments, fxRates, deals } };
  }
  const scope = new Set<string>();
  for (const id of dealPayeeIds(deal)) for (const p of await managedPayeeIds(db, tenantId, id)) scope.add(p);
  const deals = await listDeals(db, tenantId, { payeeIds: [...scope] });
  const named = new Set(scope);
  for (const d of [deal, ...deals]) for (const id of dealPayeeIds(d)) named.add(id);
  const ids = await withAncestors(db, tenantId, [...named]);
  const [payees, teams, assignments, quotas, payments, fxRates] = await Promise.all([
    listPayees(db, tenantId, ids),
    listTeams(db, tenantId),
    listAssignments(db, tenantId, ids),
    listQuotas(db, tenantId, { payeeIds: ids }),
    listPayments(db, tenantId, { payeeIds: ids }),
    listFxRates(db, tenantId),
  ]);
  return { plans, data: { payees, teams, assignments, quotas, payments, fxRates, deals } };
}

/** Whole months from `from` to `to` (both ISO dates), counting a month only once its day is reached. */
function wholeMonths(from: string, to: string): number {
  let n = 0;
  while (addMonths(from, n + 1) <= to) n++;
  return n;
}

/** How much the deal card keeps in memory between requests (entries are valid for one tenant data revision). */
export interface CardCacheLimits {
  /** Deals held across all cached estimate inputs (each (tenant, credited payees) entry weighs its deal count). */
  inputDeals: number;
  /** Finished estimates (one per tenant, deal, what-if and day). */
  estimates: number;
}

/** CARD_CACHE_MAX_DEALS and CARD_CACHE_MAX_ESTIMATES override the bounds (0 turns that cache off). */
export function cardCacheLimits(env: NodeJS.ProcessEnv = process.env): CardCacheLimits {
  const bound = (value: string | undefined, fallback: number) => {
    const n = Number(value ?? fallback);
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  // A cached estimate measured ~0.5 MB at ~1,000 deals per seller (it keeps engine state alive), hence only 500.
  return { inputDeals: bound(env.CARD_CACHE_MAX_DEALS, 200_000), estimates: bound(env.CARD_CACHE_MAX_ESTIMATES, 500) };
}

type Inputs = { plans: Plan[]; data: DataSet; byId: Map<string, Deal> };
type Estimated = { estimate: DealEstimate; calculatedAt: Date | null };

export function storeCardData(db: Db, estimate: DealEstimator, limits: CardCacheLimits = cardCacheLimits()): CardData {
  // Keyed by the payees the deal credits: estimateInputs reads exactly the same records for any deal that credits
  // the same payees, so every deal of a seller shares one entry.
  const inputs = new RevisionCache<Inputs>(limits.inputDeals, (v) => Math.max(1, v.data.deals.length));
  // Which inputs entry holds a deal, so a deal already in memory is not read again (a miss falls back to the store).
  const inputKeyOf = new Map<string, string>();
  // Estimates keep the engine's lazily explained lines, and those keep their partition state: bound them by count.
  const estimates = new RevisionCache<Estimated>(limits.estimates);
  const freshness = new RevisionCache<Date | null>(limits.estimates);

  async function dealAndInputs(
    tenantId: string,
    dealId: string,
    revision: string | null,
  ): Promise<{ deal: Deal; prepared: Inputs } | null> {
    const known = inputKeyOf.get(`${tenantId}\u0000${dealId}`);
    const cached = known === undefined ? undefined : inputs.get(known, revision);
    const inMemory = cached?.byId.get(dealId);
    if (cached && inMemory) return { deal: inMemory, prepared: cached };
    const deal = await getDeal(db, tenantId, dealId);
    if (!deal) return null;
    const key = JSON.stringify([tenantId, [...new Set(dealPayeeIds(deal))].sort()]);
    let prepared = inputs.get(key, revision);
    if (!prepared) {
      const read = await estimateInputs(db, tenantId, deal);
      prepared = { ...read, byId: new Map(read.data.deals.map((d) => [d.id, d])) };
      inputs.set(key, revision, prepared);
      if (inputKeyOf.size + prepared.byId.size > 2 * limits.inputDeals) inputKeyOf.clear();
      for (const id of prepared.byId.keys()) inputKeyOf.set(`${tenantId}\u0000${id}`, key);
    }
    return { deal, prepared };
  }

  return {
    async estimateDeal(tenantId, dealId, whatIf, now) {
      const revision = await dataRevision(db, tenantId);
      const resultKey = JSON.stringify([
        tenantId,
        dealId,
        whatIf?.amount ?? null,
        whatIf?.closeDate ?? null,
        isoDay(now),
      ]);
      const done = estimates.get(resultKey, revision);
      if (done) return done;
      const found = await dealAndInputs(tenantId, dealId, revision);
      if (!found) return null;
      const { deal, prepared } = found;
      const { plans, data } = prepared;
      // Without a plan nothing pays: say so (empty) rather than ask the engine.
      if (plans.length === 0)
        return {
          estimate: { dealId, status: deal.status, whatIf, periodId: null, payees: [], warnings: [] },
          calculatedAt: null,
        };
      const result = estimate({ plans, data, dealId, whatIf, asOf: isoDay(now) });
      const credited = result.payees.map((p) => p.payeeId);
      const year = result.periodId ? yearOfPeriod(result.periodId) : String(now.getUTCFullYear());
      let calculatedAt: Date | null = null;
      if (credited.length > 0) {
        const key = JSON.stringify([tenantId, year, [...credited].sort()]);
        const known = freshness.get(key, revision);
        calculatedAt = known !== undefined ? known : await publishedAt(db, tenantId, credited, year);
        if (known === undefined) freshness.set(key, revision, calculatedAt);
      }
      const out: Estimated = { estimate: result, calculatedAt };
      estimates.set(resultKey, revision, out);
      return out;
    },

    async settlement(tenantId, payeeId, deal, now): Promise<SettlementStatus> {
      const [result] = await readPublishedResults(db, tenantId, {
        periodId: deal.periodId,
        payeeIds: [payeeId],
        lines: false,
      });
      if (!result || dec(result.earnedToDate).isZero() || dec(result.paidToDate).lessThan(dec(result.earnedToDate)))
        return 'earned';
      const stored = await getDeal(db, tenantId, deal.id);
      const plans = (await listPlans(db, tenantId)).map((r) => r.plan);
      const assignment = (await listAssignments(db, tenantId, [payeeId])).find(
        (a) => a.from <= isoDay(now) && (!a.to || a.to >= isoDay(now)),
      );
      const plan =
        plans.find((p) => p.id === (assignment?.planId ?? result.planId)) ??
        (plans.length === 1 ? plans[0] : undefined);
      const closeDate = stored?.closeDate;
      const clawback = plan && closeDate ? versionInForce(plan.versions, closeDate)?.clawback : undefined;
      if (!clawback || !closeDate) return 'paid';
      const rows = clawback.schedule ?? [];
      // Without a schedule the plan reclaims at its flat percent whenever the deal is cancelled: always in the window.
      const windowMonths =
        rows.length === 0
          ? Infinity
          : Math.max(...rows.filter((r) => !dec(r.percent).isZero()).map((r) => r.monthsSinceCloseBelow), 0);
      return wholeMonths(closeDate, isoDay(now)) < windowMonths ? 'clawback-window' : 'paid';
    },

    async periodResults(tenantId, payeeIds, periodId, now): Promise<PeriodResults> {
      const cal = await calendarOf(db, tenantId);
      const today = isoDay(now);
      const current = periodContaining(today, 'quarter', cal);
      const period = periodId ? parsePeriodId(periodId, cal) : current;
      const periods = periodsOfYear(current.fiscalYear, 'quarter', cal)
        .filter((p) => p.start <= today)
        .map((p) => p.id);
      if (!periods.includes(period.id)) periods.push(period.id);
      const results = await readPublishedResults(db, tenantId, {
        periodId: period.id,
        ...(payeeIds === 'all' ? {} : { payeeIds }),
        lines: false,
      });
      return {
        periodId: period.id,
        start: period.start,
        end: period.end,
        periods: periods.sort(),
        results,
        calculatedAt:
          results.length > 0
            ? await publishedAt(
                db,
                tenantId,
                payeeIds === 'all' ? 'all' : results.map((r) => r.payeeId),
                yearOfPeriod(period.id),
              )
            : null,
      };
    },

    async openDeals(tenantId, ids) {
      const deals: Deal[] = [];
      for (const id of ids) {
        const d = await getDeal(db, tenantId, id);
        if (d?.status === 'open') deals.push(d);
      }
      return deals;
    },

    async payeeForOwner(tenantId, ownerId) {
      const p =
        (await findPayeeByCrmId(db, tenantId, 'hubspotOwnerId', ownerId)) ?? (await getPayee(db, tenantId, ownerId));
      return p ? { id: p.id, name: p.name } : null;
    },
  };
}

import { Decimal, ZERO, toDecimalString } from '../money/decimal.js';
import type { Deal } from '../data/schema.js';
import { compareCredits, creditDeal, type Credit } from '../credit/credit.js';
import { fiscalYearOf, parsePeriodId, periodContaining } from '../time/calendar.js';
import { prepare, type EngineContext, type EngineInput } from './context.js';
import { payeePeriodResult } from './calculate.js';
import { touchedPartitions } from './estimate.js';
import type { DataWarning, DealEstimate, DealEstimatePayee, PayeePeriodResult, TierSlice } from './types.js';

export interface OpenDealEstimateOptions {
  /** The deals to estimate (default: every open deal). Deals that are not open, and unknown ids, are skipped. */
  dealIds?: readonly string[];
  /** Per deal, the close date to estimate it at instead of its own (what `estimate`'s `whatIf.closeDate` does). */
  closeDates?: ReadonlyMap<string, string>;
  /**
   * 'all' (default): an entry for every payee the deal credits, as `estimate` gives. 'owner': only the deal
   * owner's entry, so managers' and split partners' statements are never computed.
   */
  payees?: 'all' | 'owner';
}

export interface OpenDealEstimates {
  /** By deal id. Each entry's `payees` and `periodId` equal `estimate(input, dealId, { closeDate })`'s. */
  estimates: Map<string, DealEstimate>;
  /** The data-quality warnings of the data as it stands, once for the batch (a deal's own are on its estimate). */
  warnings: DataWarning[];
}

/**
 * Runs `compute` in `base` turned into what `prepare` gives over the same data with `won` in place of the
 * open deal it was, then turns it back: the won deal's credits merged into the lists of the payees it credits,
 * the partitions it touches (and the team-pool shares) forgotten, its own warning list. Partitions read
 * credits, quotas, payments, payees and plans — never `data.deals` — so the data stays as it is. Partitions the
 * deal does not touch that get computed meanwhile equal the base's, so they stay memoized; every other change
 * is undone, even when `compute` throws. Mutating one context instead of copying its maps per deal keeps
 * the per-deal cost to the partitions the deal touches.
 */
function withWonDeal<T>(
  base: EngineContext,
  open: Deal,
  won: Deal,
  wonCredits: readonly Credit[],
  compute: (ctx: EngineContext) => T,
): { value: T; warnings: DataWarning[] } {
  const added = new Map<string, Credit[]>();
  for (const c of wonCredits) (added.get(c.payeeId) ?? added.set(c.payeeId, []).get(c.payeeId)!).push(c);
  const touched = touchedPartitions(base, open, won).map((k) => `${k.payeeId}\u0000${k.fiscalYear}`);
  const saved = {
    credits: [...added.keys()].map((id) => [id, base.credits.get(id), base.creditYears.get(id)] as const),
    partitions: touched.map((key) => [key, base.partitions.get(key)] as const),
    warnings: base.warnings,
    warningKeys: base.warningKeys,
  };
  const restore = <K, V>(map: Map<K, V>, key: K, value: V | undefined) =>
    value === undefined ? map.delete(key) : map.set(key, value);
  const warnings: DataWarning[] = [];
  try {
    for (const [payeeId, list] of added) {
      base.credits.set(payeeId, mergeSorted(base.credits.get(payeeId) ?? [], [...list].sort(compareCredits)));
      const years = new Set(base.creditYears.get(payeeId) ?? []);
      for (const c of list) years.add(fiscalYearOf(c.date, base.calendar));
      base.creditYears.set(
        payeeId,
        [...years].sort((a, b) => a - b),
      );
    }
    for (const key of touched) base.partitions.delete(key);
    base.pools.clear();
    base.warnings = warnings;
    base.warningKeys = new KnownAlso(saved.warningKeys);
    return { value: compute(base), warnings };
  } finally {
    for (const [payeeId, credits, years] of saved.credits) {
      restore(base.credits, payeeId, credits);
      restore(base.creditYears, payeeId, years);
    }
    for (const [key, partition] of saved.partitions) restore(base.partitions, key, partition);
    base.pools.clear();
    base.warnings = saved.warnings;
    base.warningKeys = saved.warningKeys;
  }
}

/** Both inputs sorted by `compareCredits`; a stable merge, as sorting the concatenation would give. */
function mergeSorted(a: readonly Credit[], b: readonly Credit[]): Credit[] {
  const out: Credit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareCredits(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Warning keys of one deal's context: a warning the base already raised is not raised again. */
class KnownAlso extends Set<string> {
  constructor(private readonly known: ReadonlySet<string>) {
    super();
  }
  override has(key: string): boolean {
    return super.has(key) || this.known.has(key);
  }
}

function payeeEstimate(
  dealId: string,
  payeeId: string,
  periodId: string,
  credit: Decimal,
  before: PayeePeriodResult,
  after: PayeePeriodResult,
): DealEstimatePayee {
  const beforeAmounts = new Map(before.lines.map((l) => [l.id, l.amount]));
  const tiers: TierSlice[] = after.lines
    .filter((l) => l.dealId === dealId && l.kind === 'commission')
    .flatMap((l) => l.tiers ?? []);
  const afterEarnings = new Decimal(after.earnings);
  return {
    payeeId,
    name: after.name,
    periodId,
    currency: after.currency,
    credit: toDecimalString(credit),
    commission: toDecimalString(
      afterEarnings.minus(new Decimal(before.earnings)),
      Math.max(2, afterEarnings.decimalPlaces()),
    ),
    before: { credited: before.credited, attainment: before.attainment, earnings: before.earnings },
    after: { credited: after.credited, attainment: after.attainment, earnings: after.earnings },
    tiers,
    lines: after.lines.filter((l) => beforeAmounts.get(l.id) !== l.amount),
  };
}

/**
 * "What each open deal pays if won", for many deals at once — the same figures as `estimate` per deal, without
 * preparing the engine twice per deal. The data is prepared once as it stands (an open deal credits no one, so
 * this is every deal's "without"), and each payee's statement for a period is computed once from it. Per deal,
 * only the partitions the deal touches are recomputed, with the deal's credits as won (at its amount, on its
 * close date — or the given one, or `asOf` when it has none) added to the base for the time it takes.
 */
export function estimateOpenDeals(input: EngineInput, options: OpenDealEstimateOptions = {}): OpenDealEstimates {
  const latest = new Map<string, Deal>();
  for (const d of input.data.deals) latest.set(d.id, d);
  const ids = options.dealIds ?? [...latest.values()].filter((d) => d.status === 'open').map((d) => d.id);
  const base = prepare(input);
  const kind = parsePeriodId(input.periodId, base.calendar).kind;
  const baseResults = new Map<string, PayeePeriodResult>();
  const baseResult = (payeeId: string, periodId: string): PayeePeriodResult => {
    const key = `${payeeId}\u0000${periodId}`;
    let r = baseResults.get(key);
    if (!r) baseResults.set(key, (r = payeePeriodResult(base, payeeId, periodId)));
    return r;
  };

  const estimates = new Map<string, DealEstimate>();
  for (const dealId of new Set(ids)) {
    const deal = latest.get(dealId);
    if (!deal || deal.status !== 'open') continue;
    const whatIfClose = options.closeDates?.get(dealId);
    const closeDate = whatIfClose ?? deal.closeDate ?? input.asOf;
    if (!closeDate) throw new Error(`[Attain] deal "${dealId}" has no close date: pass a close date for it or asOf`);
    const won: Deal = { ...deal, status: 'won', closeDate };
    const periodId = periodContaining(closeDate, kind, base.calendar).id;
    const warnings: DataWarning[] = [];
    const credits = creditDeal(won, { payees: base.payees, planFor: base.planFor, fx: base.fx }, warnings);
    const creditBy = new Map<string, Decimal>();
    for (const c of credits) creditBy.set(c.payeeId, (creditBy.get(c.payeeId) ?? ZERO).plus(c.amount));
    const wanted = [...creditBy].filter(([payeeId]) => options.payees !== 'owner' || payeeId === deal.ownerId);

    const payees: DealEstimatePayee[] = [];
    if (wanted.length > 0) {
      // the base statements first, so the deal's computation finds their partitions memoized
      const before = wanted.map(([payeeId]) => baseResult(payeeId, periodId));
      const after = withWonDeal(base, deal, won, credits, (ctx) =>
        wanted.map(([payeeId]) => payeePeriodResult(ctx, payeeId, periodId)),
      );
      wanted.forEach(([payeeId, credit], i) =>
        payees.push(payeeEstimate(dealId, payeeId, periodId, credit, before[i]!, after.value[i]!)),
      );
      warnings.push(...after.warnings);
    }
    estimates.set(dealId, {
      dealId,
      status: deal.status,
      whatIf: whatIfClose === undefined ? null : { closeDate: whatIfClose },
      periodId,
      payees,
      warnings: dedupe(warnings),
    });
  }
  return { estimates, warnings: [...base.warnings] };
}

function dedupe(warnings: readonly DataWarning[]): DataWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.code}|${w.dealId ?? ''}|${w.payeeId ?? ''}|${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

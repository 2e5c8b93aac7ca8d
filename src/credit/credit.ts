import { Decimal, ONE, ZERO, dec, round, type DecimalString } from '../money/decimal.js';
import { allocate } from '../money/allocate.js';
import { minorUnits } from '../money/currency.js';
import type { FxTable } from '../money/fx.js';
import type { Deal, Payee } from '../data/schema.js';
import type { DataWarning } from '../engine/types.js';
import type { Crediting, Plan, PlanVersion } from '../plan/schema.js';
import { matchesFilter } from './filter.js';

/** How a payee came to hold a credit. */
export type CreditRole = 'owner' | 'split' | 'double' | 'overlay' | 'rollup';

/** One payee's credit from one deal (or one release of it), in the payee's plan currency. */
export interface Credit {
  deal: Deal;
  payeeId: string;
  /** The date the credit counts on (close date when booked; invoice / receipt date otherwise). */
  date: string;
  amount: Decimal;
  currency: string;
  /** The fraction of the released deal amount this payee holds (1 for the owner, the split share, …). */
  share: Decimal;
  role: CreditRole;
  /** For roll-ups: the report whose credit this is. */
  fromPayeeId: string | null;
  /** Deal currency → plan currency rate used (dated at the credit date). */
  fxRate: DecimalString;
  /** Which release of the deal this is (0 when booked); counts (deals) are counted on release 0 only. */
  releaseIndex: number;
  /** Fraction of the deal's amount released by this event (1 when booked). */
  release: Decimal;
  /** The switch that decided the credit, named for the trace. */
  rule: string;
  /** Revenue-split weights and this payee's index, so a product-filtered amount can be re-allocated exactly. */
  splitWeights: Decimal[] | null;
  splitIndex: number;
}

export interface CreditContext {
  payees: ReadonlyMap<string, Payee>;
  planFor(payeeId: string, date: string): Plan | undefined;
  fx: FxTable;
}

/** The version in force on a (valid ISO) date; versions are validated to be in order, so ISO strings compare. */
export function versionOn(plan: Plan, date: string): PlanVersion | undefined {
  let found: PlanVersion | undefined;
  for (const v of plan.versions) {
    if (v.effectiveFrom <= date) found = v;
    else break;
  }
  return found;
}

/** The version in force, or the first version for dates before the plan starts. */
export function versionAt(plan: Plan, date: string): PlanVersion {
  return versionOn(plan, date) ?? plan.versions[0]!;
}

interface Release {
  date: string;
  /** Deal-currency amount released. */
  amount: Decimal;
  fraction: Decimal;
  index: number;
}

/** Booked: everything at close. Invoiced / cash received: what has been invoiced or paid, capped at the deal amount. */
function releasesOf(deal: Deal, crediting: Crediting, closeDate: string, dealAmount: Decimal): Release[] {
  if (crediting.eligibility === 'booked' || dealAmount.isZero())
    return [{ date: closeDate, amount: dealAmount, fraction: ONE, index: 0 }];
  const records = [...((crediting.eligibility === 'invoiced' ? deal.invoiced : deal.cashReceived) ?? [])].sort((a, b) =>
    a.date.localeCompare(b.date),
  );
  const releases: Release[] = [];
  let before = ZERO;
  for (const r of records) {
    const after = Decimal.min(before.plus(dec(r.amount)), dealAmount);
    const amount = after.minus(before);
    if (!amount.isZero())
      releases.push({ date: r.date, amount, fraction: amount.dividedBy(dealAmount), index: releases.length });
    before = after;
  }
  return releases;
}

function decimalsFor(currency: string, amount: Decimal): number {
  return Math.max(minorUnits(currency), amount.decimalPlaces());
}

/**
 * Credits one won deal: revenue splits divide it (allocate keeps the total exact), overlays add on top,
 * double credit gives each split payee the whole, and managers whose plans roll up receive their reports'
 * credits. Amounts are converted at the rate in force on the credit date. Problems become warnings.
 */
export function creditDeal(deal: Deal, ctx: CreditContext, warnings: DataWarning[]): Credit[] {
  if (deal.status !== 'won') return [];
  const closeDate = deal.closeDate;
  if (closeDate === null) {
    warnings.push({
      code: 'won-deal-without-close-date',
      message: `won deal "${deal.id}" has no close date and is not credited`,
      dealId: deal.id,
    });
    return [];
  }
  const splits = deal.splits ?? [];
  const revenue = splits.filter((s) => s.type === 'revenue');
  const overlays = splits.filter((s) => s.type === 'overlay');
  type Holder = { payeeId: string; share: Decimal; kind: 'owner' | 'split' | 'overlay'; index: number };
  const holders: Holder[] = [];
  if (revenue.length > 0)
    revenue.forEach((s, index) => holders.push({ payeeId: s.payeeId, share: dec(s.share), kind: 'split', index }));
  else if (deal.ownerId !== null) holders.push({ payeeId: deal.ownerId, share: ONE, kind: 'owner', index: 0 });
  else
    warnings.push({
      code: 'deal-without-owner',
      message: `deal "${deal.id}" has no owner and credits no one`,
      dealId: deal.id,
    });
  overlays.forEach((s, index) => holders.push({ payeeId: s.payeeId, share: dec(s.share), kind: 'overlay', index }));

  const dealAmount = dec(deal.amount);
  const weights = revenue.length > 0 ? holders.filter((h) => h.kind === 'split').map((h) => h.share) : null;
  const credits: Credit[] = [];
  const allocations = new Map<string, Decimal[]>();
  for (const h of holders) {
    if (!ctx.payees.has(h.payeeId)) {
      warnings.push({
        code: 'owner-not-a-payee',
        message: `deal "${deal.id}" credits "${h.payeeId}", who is not a payee`,
        dealId: deal.id,
        payeeId: h.payeeId,
      });
      continue;
    }
    const plan = ctx.planFor(h.payeeId, closeDate);
    if (!plan) continue; // payee-without-plan is reported once per payee by the engine
    const crediting = versionAt(plan, closeDate).crediting;
    if (!matchesFilter(deal, crediting.filter)) continue;
    if (h.kind === 'overlay' && crediting.overlay === 'ignore') continue;
    for (const r of releasesOf(deal, crediting, closeDate, dealAmount)) {
      const rate = ctx.fx.rateOn(deal.currency, plan.currency, r.date);
      if (rate === undefined) {
        warnings.push({
          code: 'missing-fx-rate',
          message: `no ${deal.currency}→${plan.currency} rate on or before ${r.date} for deal "${deal.id}"`,
          dealId: deal.id,
          payeeId: h.payeeId,
        });
        continue;
      }
      const converted =
        rate === '1' ? r.amount : round(r.amount.times(dec(rate)), minorUnits(plan.currency), 'half-even');
      const decimals = decimalsFor(plan.currency, converted);
      let amount: Decimal;
      let role: CreditRole;
      let rule: string;
      if (h.kind === 'owner') {
        amount = converted;
        role = 'owner';
        rule = 'crediting: deal owner';
      } else if (h.kind === 'overlay') {
        amount = round(converted.times(h.share), decimals, 'half-even');
        role = 'overlay';
        rule = 'crediting.overlay=credit';
      } else if (crediting.splits === 'fullToEach') {
        amount = converted;
        role = 'double';
        rule = 'crediting.splits=fullToEach';
      } else {
        // one allocation per release and amount, shared by every split payee of the deal
        const key = `${r.index}|${converted.toString()}|${decimals}`;
        let parts = allocations.get(key);
        if (!parts) allocations.set(key, (parts = allocate(converted, weights!, decimals)));
        amount = parts[h.index]!;
        role = 'split';
        rule = 'crediting.splits=shares';
      }
      const credit: Credit = {
        deal,
        payeeId: h.payeeId,
        date: r.date,
        amount,
        currency: plan.currency,
        share: role === 'double' ? ONE : h.share,
        role,
        fromPayeeId: null,
        fxRate: rate,
        releaseIndex: r.index,
        release: r.fraction,
        rule: crediting.eligibility === 'booked' ? rule : `${rule}; crediting.eligibility=${crediting.eligibility}`,
        splitWeights: role === 'split' ? weights : null,
        splitIndex: h.index,
      };
      credits.push(credit);
      rollUp(credit, ctx, credits, warnings);
    }
  }
  return credits;
}

/** Managers up the chain receive the report's credit when their plan rolls up (direct: one level; all: every level). */
function rollUp(credit: Credit, ctx: CreditContext, out: Credit[], warnings: DataWarning[]): void {
  let managerId = ctx.payees.get(credit.payeeId)?.managerId ?? null;
  if (!managerId) return;
  const seen = new Set<string>([credit.payeeId]);
  for (let level = 1; managerId && !seen.has(managerId); level++) {
    seen.add(managerId);
    const plan = ctx.planFor(managerId, credit.date);
    const mode = plan ? versionAt(plan, credit.date).crediting.rollUp : 'none';
    if (plan && (mode === 'all' || (mode === 'direct' && level === 1))) {
      let amount = credit.amount;
      let fxRate = credit.fxRate;
      if (plan.currency !== credit.currency) {
        const rate = ctx.fx.rateOn(credit.currency, plan.currency, credit.date);
        if (rate === undefined) {
          warnings.push({
            code: 'missing-fx-rate',
            message: `no ${credit.currency}→${plan.currency} rate on or before ${credit.date} for the roll-up of deal "${credit.deal.id}"`,
            dealId: credit.deal.id,
            payeeId: managerId,
          });
          break;
        }
        amount = round(amount.times(dec(rate)), minorUnits(plan.currency), 'half-even');
        fxRate = rate;
      }
      out.push({
        ...credit,
        payeeId: managerId,
        amount,
        currency: plan.currency,
        role: 'rollup',
        fromPayeeId: credit.payeeId,
        fxRate,
        rule: `crediting.rollUp=${mode}`,
        splitWeights: null,
      });
    }
    managerId = ctx.payees.get(managerId)?.managerId ?? null;
  }
}

/** Credits every deal once and indexes the credits by payee (later duplicates of a deal id replace earlier ones). */
export function creditAll(deals: readonly Deal[], ctx: CreditContext, warnings: DataWarning[]): Map<string, Credit[]> {
  const unique = new Map<string, Deal>();
  for (const d of deals) unique.set(d.id, d);
  const byPayee = new Map<string, Credit[]>();
  for (const deal of unique.values()) {
    for (const c of creditDeal(deal, ctx, warnings)) {
      const list = byPayee.get(c.payeeId);
      if (list) list.push(c);
      else byPayee.set(c.payeeId, [c]);
    }
  }
  return byPayee;
}

/** Orders credits the way every calculation replays them: by credit date, then deal id, then release, then role. */
export function compareCredits(a: Credit, b: Credit): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.deal.id !== b.deal.id) return a.deal.id < b.deal.id ? -1 : 1;
  if (a.releaseIndex !== b.releaseIndex) return a.releaseIndex - b.releaseIndex;
  if (a.role !== b.role) return a.role < b.role ? -1 : 1;
  return (a.fromPayeeId ?? '') < (b.fromPayeeId ?? '') ? -1 : (a.fromPayeeId ?? '') > (b.fromPayeeId ?? '') ? 1 : 0;
}

/**
 * A credit narrowed to the listed products: the matching line items' amount, released, converted and split
 * the same way as the whole deal (allocate again, so product-filtered shares also keep their total).
 */
export function productCreditAmount(c: Credit, products: readonly string[]): Decimal {
  let base = ZERO;
  for (const item of c.deal.lineItems ?? []) if (products.includes(item.product)) base = base.plus(dec(item.amount));
  base = base.times(c.release);
  if (c.role === 'rollup') {
    const whole = dec(c.deal.amount).times(c.release);
    return whole.isZero()
      ? ZERO
      : round(c.amount.times(base).dividedBy(whole), decimalsFor(c.currency, c.amount), 'half-even');
  }
  const converted = c.fxRate === '1' ? base : round(base.times(dec(c.fxRate)), minorUnits(c.currency), 'half-even');
  const decimals = decimalsFor(c.currency, converted);
  if (c.splitWeights) return allocate(converted, c.splitWeights, decimals)[c.splitIndex]!;
  if (c.role === 'overlay') return round(converted.times(c.share), decimals, 'half-even');
  return converted;
}

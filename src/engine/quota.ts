import { Decimal, ZERO, dec } from '../money/decimal.js';
import type { Payee, Quota } from '../data/schema.js';
import type { Component } from '../plan/schema.js';
import {
  monthsOf,
  parsePeriodId,
  periodContaining,
  periodsOfYear,
  type FiscalCalendar,
  type Period,
} from '../time/calendar.js';
import { prorationFactor } from '../time/ranges.js';
import { rampShare, tenureMonth } from '../quota/ramp.js';
import { seasonalize } from '../quota/seasonality.js';

/**
 * Resolves a payee's quota for a component and any period. An exact record wins (data quotas per period id,
 * or the plan's stated amount); otherwise the period is built from its months, each month taken from the
 * month's own record, else its quarter's or year's record spread by seasonality (allocate, so the parts
 * keep the total) — then the new-hire ramp and day/month proration are applied month by month.
 */
export class QuotaBook {
  private readonly byPayee = new Map<string, Map<string, Map<string, Decimal>>>();
  private readonly cache = new Map<string, Decimal | null>();

  constructor(
    quotas: readonly Quota[],
    private readonly cal: FiscalCalendar,
  ) {
    for (const q of quotas) {
      let byKey = this.byPayee.get(q.payeeId);
      if (!byKey) this.byPayee.set(q.payeeId, (byKey = new Map()));
      const key = q.componentId ?? '';
      let byPeriod = byKey.get(key);
      if (!byPeriod) byKey.set(key, (byPeriod = new Map()));
      byPeriod.set(q.periodId, dec(q.amount));
    }
  }

  /** The quota, or null when nothing states one (reported as missing-quota by the caller). */
  quotaFor(payee: Payee, comp: Component, isPrimary: boolean, period: Period): Decimal | null {
    const cacheKey = `${payee.id}\u0000${comp.id}\u0000${isPrimary ? 1 : 0}\u0000${period.id}\u0000${JSON.stringify(comp.quota)}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const value = this.resolve(payee, comp, isPrimary, period);
    this.cache.set(cacheKey, value);
    return value;
  }

  private records(payee: Payee, comp: Component, isPrimary: boolean): Map<string, Decimal> | undefined {
    const rule = comp.quota;
    if (rule.source === 'plan') {
      const amount = dec(rule.amount ?? '0');
      return new Map([[`per:${rule.per}`, amount]]);
    }
    const byKey = this.byPayee.get(payee.id);
    return byKey?.get(comp.id) ?? (isPrimary ? byKey?.get('') : undefined);
  }

  private recordOf(records: Map<string, Decimal>, comp: Component, p: Period): Decimal | undefined {
    if (comp.quota.source === 'plan') return comp.quota.per === p.kind ? records.get(`per:${p.kind}`) : undefined;
    return records.get(p.id);
  }

  private resolve(payee: Payee, comp: Component, isPrimary: boolean, period: Period): Decimal | null {
    const records = this.records(payee, comp, isPrimary);
    if (!records) return null;
    const rule = comp.quota;
    const adjusted = (rule.ramp !== undefined && payee.startDate !== undefined) || rule.proration !== 'none';
    if (!adjusted) {
      const exact = this.recordOf(records, comp, period);
      if (exact) return exact;
      const direct = this.fromQuarterOrYear(records, comp, period);
      if (direct) return direct;
    }
    let total = ZERO;
    let found = false;
    for (const m of monthsOf(period, this.cal)) {
      const base = this.monthQuota(records, comp, m);
      if (base === undefined) continue;
      found = true;
      let q = base;
      if (rule.ramp && payee.startDate) q = q.times(rampShare(rule.ramp, tenureMonth(payee.startDate, m.start)));
      if (rule.proration !== 'none')
        q = q.times(
          prorationFactor({ from: payee.startDate ?? '1900-01-01', to: payee.endDate ?? null }, m, rule.proration),
        );
      total = total.plus(q);
    }
    return found ? total : null;
  }

  /** A quarter straight from its year's record, or a year from its four quarters (no month rounding in between). */
  private fromQuarterOrYear(records: Map<string, Decimal>, comp: Component, period: Period): Decimal | undefined {
    const year = parsePeriodId(String(period.fiscalYear).padStart(4, '0'), this.cal);
    const quarters = periodsOfYear(period.fiscalYear, 'quarter', this.cal);
    if (period.kind === 'quarter') {
      const yearRecord = this.recordOf(records, comp, year);
      if (!yearRecord) return undefined;
      const weights = comp.quota.seasonality;
      const w =
        weights === undefined
          ? 'even'
          : weights.length === 4
            ? weights
            : [0, 1, 2, 3].map((q) => weights.slice(q * 3, q * 3 + 3).reduce((a, b) => a.plus(dec(b)), ZERO));
      return seasonalize(yearRecord, quarters, w, 10)[quarters.findIndex((q) => q.id === period.id)]!.amount;
    }
    if (period.kind === 'year') {
      const parts = quarters.map((q) => this.recordOf(records, comp, q));
      if (parts.every((q) => q !== undefined)) return parts.reduce((a: Decimal, b) => a.plus(b!), ZERO);
    }
    return undefined;
  }

  private monthQuota(records: Map<string, Decimal>, comp: Component, month: Period): Decimal | undefined {
    const own = this.recordOf(records, comp, month);
    if (own) return own;
    const weights = comp.quota.seasonality;
    const quarter = periodContaining(month.start, 'quarter', this.cal);
    const quarterRecord = this.recordOf(records, comp, quarter);
    const monthsOfQuarter = monthsOf(quarter, this.cal);
    const indexInQuarter = monthsOfQuarter.findIndex((m) => m.id === month.id);
    if (quarterRecord) {
      const w =
        weights?.length === 12
          ? weights.slice((Number(quarter.id.slice(-1)) - 1) * 3, Number(quarter.id.slice(-1)) * 3)
          : 'even';
      return seasonalize(quarterRecord, monthsOfQuarter, w, 10)[indexInQuarter]!.amount;
    }
    const year = parsePeriodId(String(month.fiscalYear).padStart(4, '0'), this.cal);
    const yearRecord = this.recordOf(records, comp, year);
    if (!yearRecord) return undefined;
    const months = monthsOf(year, this.cal);
    const w = weights === undefined ? 'even' : weights.length === 12 ? weights : weights.flatMap((q) => [q, q, q]);
    return seasonalize(yearRecord, months, w, 10)[months.findIndex((m) => m.id === month.id)]!.amount;
  }
}

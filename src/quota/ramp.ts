import { Decimal, ONE, ZERO, dec, round, type DecimalString, type RoundingMode } from '../money/decimal.js';
import { formatDate, parseDate } from '../time/dates.js';
import type { Period } from '../time/calendar.js';

/**
 * A new hire's ramp: share of the full quota for tenure months 1, 2, 3, … ("0.25" = 25 %). Tenure month 1
 * is the calendar month that contains the start date; months after the schedule carry the full quota.
 * (Combine with day proration when the first month should also be cut to the days worked.)
 */
export type RampSchedule = readonly (Decimal | DecimalString)[];

function checkShares(schedule: RampSchedule): Decimal[] {
  return schedule.map((s, i) => {
    const share = dec(s);
    if (share.isNegative())
      throw new Error(`[Attain] ramp share of month ${i + 1} must not be negative, got ${share.toString()}`);
    return share;
  });
}

/** 1-based tenure month of `date` for someone who started on `startDate`; 0 or less before the start month. */
export function tenureMonth(startDate: string, date: string): number {
  const s = parseDate(startDate);
  const d = parseDate(date);
  return (d.year - s.year) * 12 + (d.month - s.month) + 1;
}

/** Ramp share in force in tenure month `month` (0 before the start, the full quota after the schedule). */
export function rampShare(schedule: RampSchedule, month: number): Decimal {
  if (month < 1) return ZERO;
  const shares = checkShares(schedule);
  return shares[month - 1] ?? ONE;
}

/** The monthly quotas of the ramp itself: full 50,000 at 0/25/50/75/100 % → 0/12,500/25,000/37,500/50,000. */
export function rampSchedule(
  fullMonthlyQuota: Decimal | DecimalString,
  schedule: RampSchedule,
  decimals = 2,
  mode: RoundingMode = 'half-even',
): Decimal[] {
  const full = dec(fullMonthlyQuota);
  return checkShares(schedule).map((share) => round(full.times(share), decimals, mode));
}

/**
 * A period's ramped quota from a full MONTHLY quota: the sum over the period's months of
 * full × share(tenure month), rounded once at the end so month roundings cannot drift.
 */
export function rampedPeriodQuota(
  fullMonthlyQuota: Decimal | DecimalString,
  schedule: RampSchedule,
  startDate: string,
  period: Period,
  decimals = 2,
  mode: RoundingMode = 'half-even',
): Decimal {
  const full = dec(fullMonthlyQuota);
  const shares = checkShares(schedule);
  const first = parseDate(period.start);
  const last = parseDate(period.end);
  let total = ZERO;
  for (let index = first.year * 12 + first.month - 1; index <= last.year * 12 + last.month - 1; index++) {
    const month = tenureMonth(startDate, formatDate(Math.floor(index / 12), (index % 12) + 1, 1));
    total = total.plus(full.times(month < 1 ? ZERO : (shares[month - 1] ?? ONE)));
  }
  return round(total, decimals, mode);
}

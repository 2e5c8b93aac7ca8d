import { Decimal, dec, round, type DecimalString, type RoundingMode } from '../money/decimal.js';
import { prorationParts, type DateRange } from '../time/ranges.js';
import type { Period } from '../time/calendar.js';

/**
 * A period quota cut to the part of the period a seller is employed (`range` = start date … end date or open).
 * Multiplies before it divides (quota × covered / total) so a two-thirds quarter of 900,000 is exactly 600,000.
 */
export function proratedQuota(
  quota: Decimal | DecimalString,
  employed: DateRange,
  period: Period,
  by: 'days' | 'months',
  decimals = 2,
  mode: RoundingMode = 'half-even',
): Decimal {
  const { covered, total } = prorationParts(employed, period, by);
  return round(dec(quota).times(covered).dividedBy(total), decimals, mode);
}

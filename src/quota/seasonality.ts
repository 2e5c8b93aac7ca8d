import { Decimal, dec, sum, type DecimalString } from '../money/decimal.js';
import { allocate } from '../money/allocate.js';
import type { Period } from '../time/calendar.js';

/**
 * Spreads an annual target over the year's periods by seasonality weights (e.g. 20/25/20/35 for a
 * Q4-heavy business, or 12 monthly weights). Equal weights give equal periods; the parts always add up to
 * the annual target exactly.
 */
export function seasonalize(
  annualTarget: Decimal | DecimalString,
  periods: readonly Period[],
  weights: readonly (Decimal | DecimalString)[] | 'even',
  decimals = 2,
): { periodId: string; amount: Decimal }[] {
  const ws = weights === 'even' ? periods.map(() => dec(1)) : weights.map(dec);
  if (ws.length !== periods.length) {
    throw new Error(
      `[Attain] seasonality needs one weight per period: ${periods.length} periods, ${ws.length} weights`,
    );
  }
  if (ws.some((w) => w.isNegative())) throw new Error('[Attain] seasonality weights must not be negative');
  if (sum(ws).isZero()) throw new Error('[Attain] seasonality weights must not all be zero');
  const total = dec(annualTarget);
  if (total.isNegative()) throw new Error(`[Attain] annual target must not be negative, got ${total.toString()}`);
  const parts = allocate(total, ws, decimals);
  return periods.map((p, i) => ({ periodId: p.id, amount: parts[i] as Decimal }));
}

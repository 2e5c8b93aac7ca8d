import { Decimal, ZERO, round, sum, type RoundingMode } from './decimal.js';

/**
 * Splits `total` by `weights` into parts rounded to `decimals` that add up to `total` exactly
 * (largest remainder: the units lost to rounding go to the parts that lost most, ties to the earlier part).
 * Used for revenue splits and any other place where shares must keep the total.
 */
export function allocate(total: Decimal, weights: readonly Decimal[], decimals: number): Decimal[] {
  if (weights.length === 0) throw new Error('[Attain] allocate needs at least one weight');
  if (weights.some((w) => w.isNegative())) throw new Error('[Attain] allocate weights must not be negative');
  const weightSum = sum(weights);
  if (weightSum.isZero()) throw new Error('[Attain] allocate weights must not all be zero');

  const unit = new Decimal(1).dividedBy(new Decimal(10).pow(decimals));
  const sign = total.isNegative() ? -1 : 1;
  const magnitude = total.abs();
  const exact = weights.map((w) => magnitude.times(w).dividedBy(weightSum));
  const parts = exact.map((e) => round(e, decimals, 'down' satisfies RoundingMode));
  let remainder = magnitude.minus(sum(parts));
  const order = exact
    .map((e, i) => ({ i, lost: e.minus(parts[i] as Decimal) }))
    .sort((a, b) => b.lost.comparedTo(a.lost) || a.i - b.i);
  for (let k = 0; remainder.greaterThan(ZERO); k = (k + 1) % order.length) {
    const slot = order[k] as { i: number };
    parts[slot.i] = (parts[slot.i] as Decimal).plus(unit);
    remainder = remainder.minus(unit);
  }
  return sign < 0 ? parts.map((p) => p.negated()) : parts;
}

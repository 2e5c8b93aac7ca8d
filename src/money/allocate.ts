import { Decimal, ZERO, round, sum, type RoundingMode } from './decimal.js';
import { fromScaledInteger, toScaledInteger } from './scaled.js';

/**
 * Splits `total` by `weights` into parts rounded to `decimals` that add up to `total` exactly
 * (largest remainder: the units lost to rounding go to the parts that lost most, ties to the earlier part).
 * Used for revenue splits and any other place where shares must keep the total.
 */
export function allocate(total: Decimal, weights: readonly Decimal[], decimals: number): Decimal[] {
  return allocateInUnits(total, weights, decimals) ?? allocateDecimal(total, weights, decimals);
}

/** The same allocation in Decimal arithmetic throughout (any weights; the reference for the integer path). */
export function allocateDecimal(total: Decimal, weights: readonly Decimal[], decimals: number): Decimal[] {
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

const MAX_WEIGHT_SCALE = 6;

/**
 * The allocation in integer units of 10^−decimals, for the common case (split shares such as 0.6/0.4 whose
 * sum is a power of ten, so every Decimal division above is exact and the results are the same). Undefined
 * when the inputs do not fit; the Decimal path then decides (and reports invalid weights).
 */
function allocateInUnits(total: Decimal, weights: readonly Decimal[], decimals: number): Decimal[] | undefined {
  if (weights.length === 0 || decimals > MAX_WEIGHT_SCALE + 2) return undefined;
  const t = toScaledInteger(total, decimals);
  if (t === undefined) return undefined;
  let scale = 0;
  for (const w of weights) scale = Math.max(scale, w.decimalPlaces());
  if (scale > MAX_WEIGHT_SCALE) return undefined;
  const units: number[] = [];
  let weightSum = 0;
  for (const w of weights) {
    const u = toScaledInteger(w, scale);
    if (u === undefined || u < 0 || (u === 0 && w.isNegative())) return undefined;
    units.push(u);
    weightSum += u;
  }
  if (weightSum <= 0 || !isPowerOfTen(weightSum)) return undefined;
  const magnitude = Math.abs(t);
  const parts: number[] = [];
  const lost: number[] = [];
  let given = 0;
  for (const u of units) {
    const product = magnitude * u;
    if (!Number.isSafeInteger(product)) return undefined;
    let part = Math.floor(product / weightSum);
    if (part * weightSum > product) part -= 1; // the float quotient is correctly rounded; settle it exactly
    parts.push(part);
    lost.push(product - part * weightSum);
    given += part;
  }
  let remainder = magnitude - given;
  const order = parts.map((_, i) => i).sort((a, b) => lost[b]! - lost[a]! || a - b);
  for (let k = 0; remainder > 0; k = (k + 1) % order.length) {
    parts[order[k]!]! += 1;
    remainder -= 1;
  }
  return parts.map((p) =>
    t < 0 || (t === 0 && total.isNegative())
      ? fromScaledInteger(p, decimals).negated()
      : fromScaledInteger(p, decimals),
  );
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

import { Decimal, ZERO, dec, sum, type DecimalString } from '../money/decimal.js';
import { allocate } from '../money/allocate.js';

/**
 * Top-down allocation: a target split over sellers (or periods) so the parts add up to the target exactly.
 * All of them go through `allocate` (largest remainder): rounding never loses or invents a øre.
 */

export interface Allocation {
  id: string;
  amount: Decimal;
}

function checkTarget(target: Decimal | DecimalString): Decimal {
  const t = dec(target);
  if (t.isNegative()) throw new Error(`[Attain] a target must not be negative, got ${t.toString()}`);
  return t;
}

function uniqueIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`[Attain] id ${JSON.stringify(id)} appears twice in one allocation`);
    seen.add(id);
  }
}

/** Equal shares: 36,000,000 over 10 sellers → 3,600,000 each. */
export function allocateEven(target: Decimal | DecimalString, ids: readonly string[], decimals = 2): Allocation[] {
  uniqueIds(ids);
  const parts = allocate(
    checkTarget(target),
    ids.map(() => dec(1)),
    decimals,
  );
  return ids.map((id, i) => ({ id, amount: parts[i] as Decimal }));
}

/**
 * Shares proportional to a weight per seller: last year's bookings (history), territory potential, or a
 * blend of both (see `blendWeights`). All-zero weights are refused rather than silently made even.
 */
export function allocateWeighted(
  target: Decimal | DecimalString,
  weights: readonly { id: string; weight: Decimal | DecimalString }[],
  decimals = 2,
): Allocation[] {
  uniqueIds(weights.map((w) => w.id));
  const ws = weights.map((w) => {
    const d = dec(w.weight);
    if (d.isNegative())
      throw new Error(`[Attain] weight of ${JSON.stringify(w.id)} must not be negative, got ${d.toString()}`);
    return d;
  });
  if (ws.length > 0 && sum(ws).isZero())
    throw new Error('[Attain] weights must not all be zero; use allocateEven for equal shares');
  const parts = allocate(checkTarget(target), ws, decimals);
  return weights.map((w, i) => ({ id: w.id, amount: parts[i] as Decimal }));
}

/**
 * Blends two bases into one weight per seller: `historyShare` × (history / Σ history) + (1 − historyShare) ×
 * (potential / Σ potential). A common compromise: last year's results, tempered by what the territory can yield.
 */
export function blendWeights(
  sellers: readonly { id: string; history: Decimal | DecimalString; potential: Decimal | DecimalString }[],
  historyShare: Decimal | DecimalString,
): { id: string; weight: Decimal }[] {
  const h = dec(historyShare);
  if (h.isNegative() || h.greaterThan(1))
    throw new Error(`[Attain] historyShare must be between 0 and 1, got ${h.toString()}`);
  const history = sellers.map((s) => dec(s.history));
  const potential = sellers.map((s) => dec(s.potential));
  const hSum = sum(history);
  const pSum = sum(potential);
  return sellers.map((s, i) => ({
    id: s.id,
    weight: (hSum.isZero() ? ZERO : (history[i] as Decimal).dividedBy(hSum).times(h)).plus(
      pSum.isZero() ? ZERO : (potential[i] as Decimal).dividedBy(pSum).times(dec(1).minus(h)),
    ),
  }));
}

import { Decimal, ONE, ZERO, dec, toDecimalString } from '../money/decimal.js';
import type { TierTable } from '../plan/schema.js';

/**
 * Tier arithmetic. A rate table is turned into a cumulative payout function V over the tier input: every
 * tier is affine, V_k(x) = c_k + (x − lo_k) · s_k, so
 *   marginal tier:    c_k = V_{k−1}(lo_k)            (continues where the tier below ended)
 *   retroactive tier: c_k = lo_k · s_k               (the whole input at this tier's rate)
 * and a line pays V(after) − V(before). Slices attribute each step (including a retroactive true-up) to
 * the tier it happens in, so they always add up to the line. Amount and attainment axes are scaled to
 * credit amounts once per period (attainment edge × quota), so the per-deal work is a few additions.
 */

export interface ScaledTier {
  index: number;
  lo: Decimal;
  hi: Decimal | null;
  c: Decimal;
  s: Decimal;
  /** rate × multiplier */
  rm: Decimal;
  retro: boolean;
  rate: string;
  multiplier: string;
  from: string;
  to: string | null;
  label: string;
}

export interface ScaledTable {
  table: TierTable;
  tiers: ScaledTier[];
  /** Interpolated curve in input units (scaled like the tiers). */
  points: { x: Decimal; y: Decimal }[] | null;
  /** Amount of target incentive per unit of credit (targetIncentive basis), else 1. */
  tiPerCredit: Decimal;
  /** Target incentive (targetIncentive basis on a curve). */
  ti: Decimal;
  /** Input units per axis unit: quota for attainment, 1 for amount and count. */
  scale: Decimal;
}

function label(from: string, to: string | null, axis: TierTable['axis']): string {
  const fmt = (v: string) => (axis === 'attainment' ? `${toDecimalString(dec(v).times(100))} %` : v);
  return to === null ? `≥ ${fmt(from)}` : `${fmt(from)} – ${fmt(to)}`;
}

/**
 * Scales a table for one measurement period. `scale` converts the axis to input units (quota for the
 * attainment axis); `tiPerCredit` is target incentive ÷ quota for the targetIncentive basis.
 */
export function scaleTable(table: TierTable, scale: Decimal, ti: Decimal, quota: Decimal | null): ScaledTable {
  const tiPerCredit = table.basis === 'targetIncentive' ? (quota && !quota.isZero() ? ti.dividedBy(quota) : ZERO) : ONE;
  const tiers: ScaledTier[] = [];
  for (const [index, t] of table.tiers.entries()) {
    const rm = dec(t.rate).times(dec(t.multiplier));
    const lo = dec(t.from).times(scale);
    const hi = t.to === null ? null : dec(t.to).times(scale);
    const retro =
      (t.application ?? (table.application === 'retroactive' ? 'retroactive' : 'marginal')) === 'retroactive';
    const prev = tiers[index - 1];
    const prevEnd = prev ? prev.c.plus(lo.minus(prev.lo).times(prev.s)) : ZERO;
    let s: Decimal;
    let c: Decimal;
    if (table.basis === 'fixed') {
      // on the count axis a fixed amount is per deal/unit; on amount and attainment it is paid on reaching the tier
      s = table.axis === 'count' ? rm : ZERO;
      c = table.axis === 'count' ? (retro ? lo.times(rm) : prevEnd) : retro ? rm : prevEnd.plus(rm);
    } else {
      s = table.basis === 'targetIncentive' ? rm.times(tiPerCredit) : rm;
      c = retro ? lo.times(s) : prevEnd;
    }
    tiers.push({
      index,
      lo,
      hi,
      c,
      s,
      rm,
      retro,
      rate: t.rate,
      multiplier: t.multiplier,
      from: t.from,
      to: t.to,
      label: t.label ?? label(t.from, t.to, table.axis),
    });
  }
  const points =
    table.application === 'interpolated'
      ? (table.curve ?? []).map((p) => ({ x: dec(p.at).times(scale), y: dec(p.value) }))
      : null;
  return { table, tiers, points, tiPerCredit, ti, scale };
}

function tierIndexOf(tiers: readonly ScaledTier[], x: Decimal): number {
  // an edge value belongs to the higher tier (lower bound inclusive, upper exclusive)
  let k = 0;
  for (let i = 1; i < tiers.length; i++) if (x.greaterThanOrEqualTo(tiers[i]!.lo)) k = i;
  return k;
}

function valueIn(t: ScaledTier, x: Decimal): Decimal {
  return t.s.isZero() ? t.c : t.c.plus(x.minus(t.lo).times(t.s));
}

function interpolate(points: readonly { x: Decimal; y: Decimal }[], x: Decimal, extend: boolean): Decimal {
  const first = points[0]!;
  if (x.lessThanOrEqualTo(first.x)) return first.y;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (x.lessThan(b.x) || (i === points.length - 1 && !extend)) {
      if (x.greaterThanOrEqualTo(b.x)) return b.y;
      return a.y.plus(x.minus(a.x).times(b.y.minus(a.y)).dividedBy(b.x.minus(a.x)));
    }
  }
  const a = points[points.length - 2]!;
  const b = points[points.length - 1]!;
  return b.y.plus(x.minus(b.x).times(b.y.minus(a.y)).dividedBy(b.x.minus(a.x)));
}

/** A slice of one line in one tier, in input units (amount or count) and the credit it stands for. */
export interface Slice {
  tier: ScaledTier | null;
  inInput: Decimal;
  credit: Decimal;
  payout: Decimal;
}

export interface Step {
  /** The cumulative value after the step (the next step's `before`). */
  value: Decimal;
  payout: Decimal;
  slices: Slice[];
}

/**
 * Moves the tier input from x0 to x1 (amount units for amount/attainment axes, counts for the count axis)
 * while the credit moves from a0 to a1, starting from cumulative value `before`. Amount-type axes are a
 * pure function of the position; the count axis walks forward because the credit per count differs per deal.
 */
export function step(
  st: ScaledTable,
  x0: Decimal,
  x1: Decimal,
  a0: Decimal,
  a1: Decimal,
  before: Decimal,
  wantSlices: boolean,
): Step {
  const { table, tiers } = st;
  if (st.points) {
    const y = interpolate(st.points, x1, table.beyondLast === 'extend');
    const value = table.basis === 'credit' ? a1.times(y) : table.basis === 'targetIncentive' ? st.ti.times(y) : y;
    const payout = value.minus(before);
    return {
      value,
      payout,
      slices: wantSlices ? [{ tier: null, inInput: x1.minus(x0), credit: a1.minus(a0), payout }] : [],
    };
  }
  if (table.axis === 'count' && table.basis !== 'fixed') return countWalk(st, x0, x1, a0, a1, before, wantSlices);
  const k1 = tierIndexOf(tiers, x1);
  const value = valueIn(tiers[k1]!, x1);
  const payout = value.minus(before);
  if (!wantSlices) return { value, payout, slices: [] };
  const slices: Slice[] = [];
  const k0 = tierIndexOf(tiers, x0);
  const perInput = table.axis === 'count' && !x1.equals(x0) ? a1.minus(a0).dividedBy(x1.minus(x0)) : ONE;
  let prev = before;
  if (x1.greaterThanOrEqualTo(x0)) {
    for (let k = k0; k <= k1; k++) {
      const t = tiers[k]!;
      const a = k === k0 ? x0 : t.lo;
      const b = k === k1 ? x1 : t.hi!;
      const end = valueIn(t, b);
      const inInput = b.minus(a);
      slices.push({ tier: t, inInput, credit: inInput.times(perInput), payout: end.minus(prev) });
      prev = end;
    }
  } else {
    for (let k = k0; k >= k1; k--) {
      const t = tiers[k]!;
      const a = k === k0 ? x0 : t.hi!;
      const b = k === k1 ? x1 : t.lo;
      const end = k === k1 ? valueIn(t, x1) : valueIn(tiers[k - 1]!, t.lo);
      const inInput = b.minus(a);
      slices.push({ tier: t, inInput, credit: inInput.times(perInput), payout: end.minus(prev) });
      prev = end;
    }
  }
  return { value, payout, slices };
}

/**
 * Count axis paying on credit (or target incentive): each count unit carries (a1 − a0)/(x1 − x0) of credit.
 * Marginal tiers add their slice's credit × rate; a retroactive tier re-rates the whole cumulative credit.
 */
function countWalk(
  st: ScaledTable,
  x0: Decimal,
  x1: Decimal,
  a0: Decimal,
  a1: Decimal,
  before: Decimal,
  wantSlices: boolean,
): Step {
  const { tiers } = st;
  const per = (a: Decimal) => (st.table.basis === 'targetIncentive' ? a.times(st.tiPerCredit) : a);
  const k0 = tierIndexOf(tiers, x0);
  const k1 = tierIndexOf(tiers, x1);
  const dx = x1.minus(x0);
  const perUnit = dx.isZero() ? ZERO : a1.minus(a0).dividedBy(dx);
  let prev = before;
  let acc = a0;
  const slices: Slice[] = [];
  for (let k = k0; k <= k1; k++) {
    const t = tiers[k]!;
    const a = k === k0 ? x0 : t.lo;
    const b = k === k1 ? x1 : t.hi!;
    // with no count movement (a later release of a deal) the whole credit lands in the current tier
    const credit = dx.isZero() ? a1.minus(a0) : b.minus(a).times(perUnit);
    acc = acc.plus(credit);
    const end = t.retro ? per(acc).times(t.rm) : prev.plus(per(credit).times(t.rm));
    if (wantSlices) slices.push({ tier: t, inInput: b.minus(a), credit, payout: end.minus(prev) });
    prev = end;
  }
  return { value: prev, payout: prev.minus(before), slices };
}

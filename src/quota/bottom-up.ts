import { Decimal, ONE, dec, round, sum, type DecimalString, type RoundingMode } from '../money/decimal.js';

/**
 * Bottom-up quota building: each seller's base (last year's bookings, or the sum of their accounts'
 * run-rate) grown by expected growth and reduced by expected attrition (churn of the installed base).
 * - additive:       base × (1 + growth − attrition)
 * - multiplicative: base × (1 + growth) × (1 − attrition)
 * Growth 10 % and attrition 5 % on 1,000,000 → additive 1,050,000, multiplicative 1,045,000.
 */
export type GrowthMethod = 'additive' | 'multiplicative';

export interface BottomUpInput {
  sellers: readonly {
    id: string;
    base: Decimal | DecimalString;
    growth?: Decimal | DecimalString;
    attrition?: Decimal | DecimalString;
  }[];
  /** Default growth and attrition for sellers that do not state their own, as ratios ("0.1" = 10 %). */
  growth: Decimal | DecimalString;
  attrition: Decimal | DecimalString;
  method: GrowthMethod;
  decimals?: number;
  rounding?: RoundingMode;
}

export function bottomUp(input: BottomUpInput): { sellers: { id: string; quota: Decimal }[]; total: Decimal } {
  const decimals = input.decimals ?? 2;
  const mode = input.rounding ?? 'half-even';
  const sellers = input.sellers.map((s) => {
    const base = dec(s.base);
    const growth = dec(s.growth ?? input.growth);
    const attrition = dec(s.attrition ?? input.attrition);
    if (base.isNegative()) throw new Error(`[Attain] base of ${JSON.stringify(s.id)} must not be negative`);
    if (attrition.isNegative() || attrition.greaterThan(ONE)) {
      throw new Error(
        `[Attain] attrition of ${JSON.stringify(s.id)} must be between 0 and 1, got ${attrition.toString()}`,
      );
    }
    const factor =
      input.method === 'additive' ? ONE.plus(growth).minus(attrition) : ONE.plus(growth).times(ONE.minus(attrition));
    if (factor.isNegative())
      throw new Error(`[Attain] growth and attrition of ${JSON.stringify(s.id)} give a negative quota`);
    return { id: s.id, quota: round(base.times(factor), decimals, mode) };
  });
  // The total is the sum of the rounded quotas: what the sellers actually carry.
  return { sellers, total: sum(sellers.map((s) => s.quota)) };
}

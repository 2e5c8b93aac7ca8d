import { Decimal, ONE, dec, sum, type DecimalString } from '../money/decimal.js';

/**
 * Capacity check: do the sellers' quotas cover the company target plus the over-assignment the business
 * plans for (quotas usually add up to 10–20 % more than the target, because not everyone makes quota)?
 */
export interface CapacityResult {
  companyTarget: Decimal;
  totalQuota: Decimal;
  /** companyTarget × (1 + wanted over-assignment). */
  required: Decimal;
  /** totalQuota / companyTarget − 1 ("0.1" = quotas are 10 % above the target). */
  overAssignment: Decimal;
  /** required − totalQuota when short, else 0. */
  shortfall: Decimal;
  covered: boolean;
}

export function capacityCheck(
  companyTarget: Decimal | DecimalString,
  sellerQuotas: readonly (Decimal | DecimalString)[],
  wantedOverAssignment: Decimal | DecimalString,
): CapacityResult {
  const target = dec(companyTarget);
  if (!target.greaterThan(0)) throw new Error(`[Attain] company target must be positive, got ${target.toString()}`);
  const over = dec(wantedOverAssignment);
  if (over.isNegative()) throw new Error(`[Attain] over-assignment must not be negative, got ${over.toString()}`);
  const totalQuota = sum(sellerQuotas.map(dec));
  const required = target.times(ONE.plus(over));
  const shortfall = required.minus(totalQuota);
  return {
    companyTarget: target,
    totalQuota,
    required,
    overAssignment: totalQuota.dividedBy(target).minus(ONE),
    shortfall: shortfall.isNegative() ? dec(0) : shortfall,
    covered: !shortfall.greaterThan(0),
  };
}

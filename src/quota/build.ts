import { toDecimalString, type Decimal, type DecimalString } from '../money/decimal.js';
import type { Quota } from '../data/schema.js';
import type { Period } from '../time/calendar.js';
import { allocateEven, allocateWeighted } from './allocation.js';
import { seasonalize } from './seasonality.js';

/**
 * Top-down from a company target to the quota records the engine reads: the target is split over sellers
 * (even or weighted), then each seller's share over the periods by seasonality. Both steps keep their
 * totals, so the records add up to the company target exactly.
 */
export function buildQuotas(input: {
  companyTarget: Decimal | DecimalString;
  sellers: readonly string[] | readonly { id: string; weight: Decimal | DecimalString }[];
  periods: readonly Period[];
  seasonality: readonly (Decimal | DecimalString)[] | 'even';
  decimals?: number;
  componentId?: string;
}): Quota[] {
  const decimals = input.decimals ?? 2;
  const first = input.sellers[0];
  const perSeller =
    first === undefined || typeof first === 'string'
      ? allocateEven(input.companyTarget, input.sellers as readonly string[], decimals)
      : allocateWeighted(
          input.companyTarget,
          input.sellers as readonly { id: string; weight: Decimal | DecimalString }[],
          decimals,
        );
  return perSeller.flatMap((s) =>
    seasonalize(s.amount, input.periods, input.seasonality, decimals).map((p) => ({
      payeeId: s.id,
      periodId: p.periodId,
      amount: toDecimalString(p.amount),
      ...(input.componentId === undefined ? {} : { componentId: input.componentId }),
    })),
  );
}

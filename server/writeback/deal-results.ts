/**
 * Published calculation results → the values Attain writes onto each deal. Pure: the caller supplies the
 * deals and the owners' published period results.
 *
 * Per deal, from the OWNER's statement for the period the deal is credited in (the plan's primary
 * component period containing the close date), so "commission by owner" deal reports add up per owner:
 * - earnedCommission: sum of the owner's payout lines on this deal (won deals; cleared otherwise);
 * - estimatedCommission: the same for won deals; for open deals what the deal pays its owner if won, as
 *   given by the caller (open-deal-estimates.ts: only deals in the estimate window have one);
 * - creditedAmount: the credit of the owner's primary-component lines on this deal;
 * - commissionPeriod: the period id; tierReached: the highest tier the deal's credit reached;
 * - ownerAttainment: the owner's attainment in that period, in percent, rounded half-even to 2 decimals (the
 *   engine's ratio is exact to 40 digits; a report needs a readable percentage, and HubSpot number properties
 *   are not documented to keep that many digits).
 * Decimal strings are taken from the engine as they are (one line) or summed with Decimal (several).
 */
import type { Deal } from '../../src/data/index.js';
import type { PayeePeriodResult, PayoutLine } from '../../src/engine/types.js';
import { dec, HUNDRED, round, sum, toDecimalString } from '../../src/money/index.js';
import type { Plan } from '../../src/plan/index.js';
import { CALENDAR_YEAR, periodContaining, type FiscalCalendar, type PeriodKind } from '../../src/time/index.js';
import type { ResultField } from '../crm/port.js';

/** Every written field except the timestamp, which the write-back adds when something changed. */
export type DealValues = Record<Exclude<ResultField, 'lastCalculatedAt'>, string | null>;

const ATTAINMENT_DECIMALS = 2;

export const VALUE_FIELDS: ReadonlyArray<keyof DealValues> = [
  'estimatedCommission',
  'earnedCommission',
  'creditedAmount',
  'commissionPeriod',
  'tierReached',
  'ownerAttainment',
];

export const EMPTY_VALUES: DealValues = {
  estimatedCommission: null,
  earnedCommission: null,
  creditedAmount: null,
  commissionPeriod: null,
  tierReached: null,
  ownerAttainment: null,
};

export interface CreditPeriodRule {
  calendar: FiscalCalendar;
  kind: PeriodKind;
  primaryComponentId: string | null;
}

/** The plan's calendar and the period kind of its primary component (quarter when no plan is set up). */
export function creditPeriodRule(plans: readonly Plan[]): CreditPeriodRule {
  const plan = plans[0];
  if (!plan) return { calendar: CALENDAR_YEAR, kind: 'quarter', primaryComponentId: null };
  const version = plan.versions.at(-1);
  const primaryId = version?.primaryComponentId ?? version?.components[0]?.id ?? null;
  const primary = version?.components.find((c) => c.id === primaryId);
  return {
    calendar: plan.calendar ?? CALENDAR_YEAR,
    kind: primary?.period ?? 'quarter',
    primaryComponentId: primaryId,
  };
}

/** The period a deal is credited in, or null (no close date). */
export function creditPeriodOf(deal: Deal, rule: CreditPeriodRule): string | null {
  return deal.closeDate ? periodContaining(deal.closeDate, rule.kind, rule.calendar).id : null;
}

function decimalsOf(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** Sum of decimal strings keeping the widest scale given (one value passes through untouched). */
function exactSum(values: readonly string[]): string | null {
  if (values.length === 0) return null;
  if (values.length === 1) return values[0]!;
  return toDecimalString(sum(values.map(dec)), Math.max(...values.map(decimalsOf)));
}

function highestTier(lines: readonly PayoutLine[]): string | null {
  let best: { index: number; label: string } | null = null;
  for (const l of lines)
    for (const t of l.tiers ?? []) {
      if (dec(t.inTier).isZero() && dec(t.creditInTier).isZero()) continue;
      if (!best || t.tierIndex > best.index) best = { index: t.tierIndex, label: t.label };
    }
  return best?.label ?? null;
}

/**
 * @param results owner statements keyed `payeeId\u0000periodId` (only the periods and owners asked for).
 * @param estimates the owner's estimated commission per open deal (absent: no estimate).
 */
export function dealValues(
  deal: Deal,
  rule: CreditPeriodRule,
  results: ReadonlyMap<string, PayeePeriodResult>,
  estimates: ReadonlyMap<string, string> = new Map(),
): DealValues {
  const estimated = deal.status === 'open' ? (estimates.get(deal.id) ?? null) : null;
  const periodId = creditPeriodOf(deal, rule);
  if (!deal.ownerId || !periodId) return { ...EMPTY_VALUES, estimatedCommission: estimated };
  const statement = results.get(`${deal.ownerId}\u0000${periodId}`);
  if (!statement) return { ...EMPTY_VALUES, estimatedCommission: estimated };
  const lines = statement.lines.filter((l) => l.dealId === deal.id);
  // A lost deal that pays nothing (no clawback line) carries no Attain values.
  if (deal.status === 'lost' && lines.length === 0) return { ...EMPTY_VALUES };
  const primary = lines.filter(
    (l) => l.credit !== undefined && (rule.primaryComponentId === null || l.componentId === rule.primaryComponentId),
  );
  const earned = deal.status === 'won' ? (exactSum(lines.map((l) => l.amount)) ?? '0') : null;
  const credited = exactSum(primary.map((l) => l.credit!));
  return {
    estimatedCommission: deal.status === 'won' ? earned : estimated,
    earnedCommission: earned,
    creditedAmount: credited,
    commissionPeriod: periodId,
    tierReached: highestTier(primary),
    ownerAttainment: attainmentPercent(statement.attainment),
  };
}

/** An attainment ratio ('1.2') as written to HubSpot: percent, half-even to 2 decimals ('120.00'). */
export function attainmentPercent(ratio: string): string {
  return toDecimalString(round(dec(ratio).times(HUNDRED), ATTAINMENT_DECIMALS, 'half-even'), ATTAINMENT_DECIMALS);
}

export function resultKey(payeeId: string, periodId: string): string {
  return `${payeeId}\u0000${periodId}`;
}

import type { DecimalString } from '../money/decimal.js';
import type { CurrencyCode } from '../money/currency.js';

/**
 * The engine's output contract. Everything that leaves the engine (CLI JSON, API view models, CRM
 * write-back) is built from these shapes; money and ratios are decimal strings, attainment is a ratio
 * ("1.2" = 120 %). Fields may be added; none may change meaning.
 */

export type WarningCode =
  | 'deal-without-owner'
  | 'owner-not-a-payee'
  | 'split-shares-not-100'
  | 'close-date-outside-periods'
  | 'won-deal-without-close-date'
  | 'unknown-currency'
  | 'missing-fx-rate'
  | 'missing-quota'
  | 'zero-quota'
  | 'payee-without-plan'
  | 'duplicate-id';

export interface DataWarning {
  code: WarningCode;
  message: string;
  dealId?: string;
  payeeId?: string;
  periodId?: string;
}

/** One step of a line's explanation: deal → crediting → rule → tier split → multipliers → caps → rounding. */
export interface TraceStep {
  /** Machine-readable step kind: 'credit', 'split', 'fx', 'tier', 'accelerator', 'gate', 'cap', 'rounding', 'settlement', … */
  step: string;
  /** The plan switch or rule that decided this step, e.g. 'tiers.application=marginal', 'cap.perPeriod'. */
  rule?: string;
  /** Human-readable English sentence; the UI may re-render from `values`. */
  text: string;
  values?: Record<string, DecimalString | string | null>;
}

/** A tier slice of a line: how much of the tier input fell in the tier and what it paid there. */
export interface TierSlice {
  tierIndex: number;
  /** e.g. "100 % – 150 %" or "≥ 1,000,000" */
  label: string;
  from: DecimalString;
  to: DecimalString | null;
  /** The part of the tier input (amount, attainment or count) inside this tier. */
  inTier: DecimalString;
  /** The credited amount that part stands for. */
  creditInTier: DecimalString;
  rate: DecimalString;
  multiplier: DecimalString;
  payout: DecimalString;
}

export type PayoutLineKind =
  'commission' | 'bonus' | 'spif' | 'override' | 'draw' | 'draw-recovery' | 'clawback' | 'adjustment';

export interface PayoutLine {
  /** Deterministic id, stable across runs for the same inputs (used for diffing and write-back). */
  id: string;
  payeeId: string;
  periodId: string;
  kind: PayoutLineKind;
  componentId?: string;
  dealId?: string;
  /** The credit this line pays on, in plan currency (absent for fixed amounts). */
  credit?: DecimalString;
  amount: DecimalString;
  tiers?: TierSlice[];
  trace: TraceStep[];
  /** The date the line is earned on (credit date, cancellation date, period end for draws); decides its period. */
  date?: string;
}

export interface ComponentResult {
  componentId: string;
  name: string;
  quota: DecimalString;
  credited: DecimalString;
  attainment: DecimalString;
  earnings: DecimalString;
}

export interface PayeePeriodResult {
  payeeId: string;
  name: string;
  periodId: string;
  planId: string | null;
  planVersion: string | null;
  currency: CurrencyCode;
  /** Primary measure's quota, credit and attainment (what the team table shows). */
  quota: DecimalString;
  credited: DecimalString;
  attainment: DecimalString;
  /** Sum of `lines` amounts, exactly. */
  earnings: DecimalString;
  components: ComponentResult[];
  lines: PayoutLine[];
  /** Settlement: earned to date in the plan year, paid to date, and what this statement pays (the difference). */
  earnedToDate: DecimalString;
  paidToDate: DecimalString;
  payable: DecimalString;
  /** payable − earnings: what restated earlier periods add (or take back) on this statement; paid amounts are never rewritten. */
  priorPeriodsDelta?: DecimalString;
}

export interface TeamTotals {
  quota: DecimalString;
  credited: DecimalString;
  /** sum credited / sum quota — never the mean of percentages. */
  attainment: DecimalString;
  earnings: DecimalString;
}

export interface CalculationResult {
  period: string;
  currency: CurrencyCode;
  payees: PayeePeriodResult[];
  team: TeamTotals;
  warnings: DataWarning[];
}

/** "What this deal pays me": for each credited payee, earnings with the deal won minus without it. */
export interface DealEstimatePayee {
  payeeId: string;
  name: string;
  periodId: string;
  currency: CurrencyCode;
  credit: DecimalString;
  /** earnings(with) − earnings(without) for the period. */
  commission: DecimalString;
  before: { credited: DecimalString; attainment: DecimalString; earnings: DecimalString };
  after: { credited: DecimalString; attainment: DecimalString; earnings: DecimalString };
  /** Tier(s) the deal's credit lands in, with amount-in-tier, rate and multiplier. */
  tiers: TierSlice[];
  /** The lines that differ between with and without (commission, SPIFs, bonuses crossed, caps hit). */
  lines: PayoutLine[];
}

export interface DealEstimate {
  dealId: string;
  status: 'open' | 'won' | 'lost';
  whatIf: { amount?: DecimalString; closeDate?: string } | null;
  periodId: string | null;
  payees: DealEstimatePayee[];
  warnings: DataWarning[];
}

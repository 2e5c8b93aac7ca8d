import { z } from 'zod';
import { ROUNDING_MODE_NAMES } from '../money/decimal.js';
import { currencyCode, id, isoDate, nonNegativeDecimalString, periodId } from '../data/primitives.js';

/**
 * The compensation plan model. Every switch of plan-semantics.md is a field here with a documented default
 * (docs/plan-semantics-implementation.md maps switch → field → default). Rates, shares, attainments and
 * multipliers are decimal ratios: "0.05" = 5 %, "1.5" = 1.5×, "1" = 100 % attainment.
 *
 * Field names are a contract shared with the CLI, the plan API and the settings page: add, never rename.
 */

const ratio = nonNegativeDecimalString;

export const periodKindSchema = z.enum(['month', 'quarter', 'year']);

/** Which deals count for a component, SPIF or the whole plan. Every list is "any of"; omitted = no filter. */
export const creditFilterSchema = z.strictObject({
  pipelines: z.array(z.string()).optional(),
  stages: z.array(z.string()).optional(),
  /** Matches line-item products; only the matching line items' amounts (and quantities) are credited. */
  products: z.array(z.string()).optional(),
  dealTypes: z.array(z.string()).optional(),
  /** Custom attributes: each key must have one of the listed values. */
  attributes: z.record(z.string(), z.array(z.string())).optional(),
});

/** Crediting: who gets how much of which deal, when, in plan currency. */
export const creditingSchema = z.strictObject({
  /** The date a credit counts on. Booked: the close date; invoiced / cash: the invoice or receipt date. */
  creditDate: z.enum(['closeDate']).default('closeDate'),
  /** booked = full credit at close; invoiced / cashReceived = credit released as invoiced or paid (partial release). */
  eligibility: z.enum(['booked', 'invoiced', 'cashReceived']).default('booked'),
  /** shares = revenue splits divide the credit (allocate keeps the total); fullToEach = double credit: every revenue-split payee gets 100 %. */
  splits: z.enum(['shares', 'fullToEach']).default('shares'),
  /** credit = overlay splits add credit on top of the 100 % (specialists); ignore = overlay splits earn nothing. */
  overlay: z.enum(['credit', 'ignore']).default('credit'),
  /** Manager roll-up: managers are credited with their reports' credits (direct reports, or the whole tree below). */
  rollUp: z.enum(['none', 'direct', 'all']).default('none'),
  filter: creditFilterSchema.default({}),
});

/** A gate: a minimum attainment that must be reached before a tier or component pays. */
export const gateSchema = z.strictObject({
  /** self = this component's attainment; component = another component's; annual = year-to-date credit ÷ annual quota of `componentId` (default: this component). */
  on: z.enum(['self', 'component', 'annual']).default('self'),
  componentId: id.optional(),
  minAttainment: ratio,
  /** release = amounts held while the gate is shut are paid when it opens (on the deal that opens it); forfeit = they are lost. */
  whenMet: z.enum(['release', 'forfeit']).default('release'),
});

export const tierSchema = z.strictObject({
  /** Lower bound, inclusive. In the tier axis' unit: amount, attainment ratio ("1" = 100 %) or count. */
  from: nonNegativeDecimalString,
  /** Upper bound, exclusive; null = open-ended (only the last tier). A value exactly on an edge takes the higher tier. */
  to: nonNegativeDecimalString.nullable(),
  /** credit basis: share of credit; targetIncentive basis: share of target incentive per unit of attainment; fixed basis: amount. Never negative. */
  rate: nonNegativeDecimalString,
  /** Accelerator (> 1) or decelerator (< 1) on this tier. Default 1. Never negative. */
  multiplier: ratio.default('1'),
  /** Overrides the table's application for this one tier (a retroactive tier inside a marginal table). */
  application: z.enum(['marginal', 'retroactive']).optional(),
  /** This tier pays only once the gate is met. */
  gate: gateSchema.optional(),
  label: z.string().optional(),
});

export const curvePointSchema = z.strictObject({ at: nonNegativeDecimalString, value: nonNegativeDecimalString });

export const tierTableSchema = z.strictObject({
  /** marginal: each slice at its tier's rate · retroactive: the whole input at the rate of the tier reached · interpolated: `curve` read linearly. */
  application: z.enum(['marginal', 'retroactive', 'interpolated']).default('marginal'),
  /** transaction: each deal on its own · period: period-to-date cumulative (each credit lands on top of earlier ones) · year: year-to-date. */
  input: z.enum(['transaction', 'period', 'year']).default('period'),
  /** amount of credit · attainment = credit ÷ quota · count of deals or units. */
  axis: z.enum(['amount', 'attainment', 'count']).default('attainment'),
  /** For the count axis: count deals or units (deal.units, or matching line-item quantities). */
  countBy: z.enum(['deals', 'units']).default('deals'),
  /** credit: rate × credit · targetIncentive: rate × attainment × target incentive (a pay curve) · fixed: rate is an amount. */
  basis: z.enum(['credit', 'targetIncentive', 'fixed']).default('credit'),
  tiers: z.array(tierSchema).default([]),
  /** Interpolated application: points (at = tier-axis value, value = rate on the whole credit / share of target incentive / amount). */
  curve: z.array(curvePointSchema).optional(),
  /** Interpolated: past the last point, hold the last value (flat) or continue the last segment's slope (extend). */
  beyondLast: z.enum(['flat', 'extend']).default('flat'),
});

export const capSchema = z.discriminatedUnion('kind', [
  /** The component's payout per measurement period stops at `amount`; the crossing deal is paid the remainder. */
  z.strictObject({ kind: z.literal('perPeriod'), amount: nonNegativeDecimalString }),
  z.strictObject({ kind: z.literal('perTransaction'), amount: nonNegativeDecimalString }),
  /** Lifetime payout per customer (deal.customerId) across plan years; the crossing deal is partly filled. */
  z.strictObject({ kind: z.literal('perCustomer'), amount: nonNegativeDecimalString }),
  /** Credit beyond `maxAttainment` × quota earns nothing on this component (the tier input stops there). */
  z.strictObject({ kind: z.literal('attainment'), maxAttainment: nonNegativeDecimalString }),
]);

export const quotaRuleSchema = z.strictObject({
  /** data = quotas from the data set (quotas[].componentId = this component, or none for the primary); plan = `amount` for every payee. */
  source: z.enum(['data', 'plan']).default('data'),
  amount: nonNegativeDecimalString.optional(),
  /** The period `amount` is stated for. */
  per: periodKindSchema.default('year'),
  /** Weights of the fiscal year's 12 months or 4 quarters for splitting a longer quota; omitted = even. */
  seasonality: z.array(nonNegativeDecimalString).optional(),
  /** Ramp for new hires: share of quota in month 1, 2, … after payee.startDate (month 1 = the start month); later months 100 %. */
  ramp: z.array(nonNegativeDecimalString).optional(),
  /** Proration for partial employment (payee start/end date) inside a month. */
  proration: z.enum(['none', 'days', 'months']).default('none'),
});

export const componentSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Share of the plan's target incentive this component carries (weights of weighted components total 1). */
  weight: ratio.optional(),
  /** The measurement period: quota, attainment, period-to-date tiers and per-period caps run over it. */
  period: periodKindSchema.default('quarter'),
  /** Narrows the plan's crediting filter for this component. */
  filter: creditFilterSchema.optional(),
  quota: quotaRuleSchema.default({ source: 'data', per: 'year', proration: 'none' }),
  rates: tierTableSchema,
  gates: z.array(gateSchema).default([]),
  /** Applied in order transaction → customer → attainment → period; each caps the remainder, not the whole line. */
  caps: z.array(capSchema).default([]),
});

export const bonusSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Attainment of this component decides the bonus. */
  componentId: id,
  /** milestone: `amount` once attainment reaches `minAttainment` · stepped: the highest step reached pays (steps do not add up). */
  kind: z.enum(['milestone', 'stepped']),
  /** The period attainment is measured over for the bonus; default the component's period. */
  period: periodKindSchema.optional(),
  minAttainment: ratio.optional(),
  amount: nonNegativeDecimalString.optional(),
  steps: z.array(z.strictObject({ minAttainment: ratio, amount: nonNegativeDecimalString })).optional(),
});

export const spifPayoutSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('perDeal'), amount: nonNegativeDecimalString }),
  z.strictObject({ kind: z.literal('perUnit'), amount: nonNegativeDecimalString }),
  z.strictObject({ kind: z.literal('percentOfRevenue'), rate: nonNegativeDecimalString }),
  /** Each qualifying deal pays the amount of the tier its running count (1-based, within the window) falls in. */
  z.strictObject({
    kind: z.literal('tieredByCount'),
    tiers: z.array(
      z.strictObject({
        from: nonNegativeDecimalString,
        to: nonNegativeDecimalString.nullable(),
        amount: nonNegativeDecimalString,
      }),
    ),
  }),
  /** A pool shared by the payees of `teamId` (default: everyone on the plan) in proportion to qualifying credit, paid at the window's end. */
  z.strictObject({ kind: z.literal('teamPool'), amount: nonNegativeDecimalString, teamId: id.optional() }),
]);

export const spifSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Time box on the credit date, both inclusive. */
  from: isoDate,
  to: isoDate,
  filter: creditFilterSchema.default({}),
  payout: spifPayoutSchema,
});

export const drawSchema = z.strictObject({
  /** recoverable: draw top-ups are a balance recovered from later earnings above the draw · nonRecoverable: a guarantee, never recovered. */
  kind: z.enum(['recoverable', 'nonRecoverable']),
  /** Guaranteed amount per draw period. */
  amount: nonNegativeDecimalString,
  period: z.enum(['month', 'quarter']).default('month'),
  /** Ramped draw: amount in draw period 1, 2, … after the payee's start date; afterwards `amount`. */
  ramp: z.array(nonNegativeDecimalString).optional(),
  /** First and last period ids the draw is paid in (fiscal ids; omitted = whole year). */
  fromPeriod: periodId.optional(),
  untilPeriod: periodId.optional(),
  /** Recovery begins in this period id (earlier excess is not recovered). */
  recoveryStartPeriod: periodId.optional(),
  /** At most this share of a period's earnings is taken for recovery ("0.5" = 50 %); omitted = no limit. */
  recoveryCap: ratio.optional(),
});

export const clawbackSchema = z.strictObject({
  /** Share of the cancelled deal's paid lines reclaimed when no schedule is given ("1" = 100 %). */
  percent: ratio.default('1'),
  /** By whole months from close to cancellation: the first row with months < monthsSinceCloseBelow wins; past the last row 0 %. */
  schedule: z.array(z.strictObject({ monthsSinceCloseBelow: z.number().int().positive(), percent: ratio })).optional(),
  /** originalRate: reclaim from the commission the deal was paid (its original tier rate), never recomputed at today's tier. */
  method: z.enum(['originalRate']).default('originalRate'),
  /** Which lines are reclaimed. */
  appliesTo: z.array(z.enum(['commission', 'spif'])).default(['commission']),
});

export const overrideSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** teamRevenue: rate × the team's credited revenue · teamEarnings: rate × the team's commission earnings. */
  basis: z.enum(['teamRevenue', 'teamEarnings']),
  rate: nonNegativeDecimalString,
  /** direct reports only, or the whole tree below the manager. */
  depth: z.enum(['direct', 'all']).default('direct'),
  period: periodKindSchema.default('quarter'),
  /** Pays only on the team basis above this amount per period (marginal). */
  aboveAmount: nonNegativeDecimalString.optional(),
  /** Pays only once the team's attainment (sum credit ÷ sum quota of the primary component) reaches this. */
  minTeamAttainment: ratio.optional(),
});

export const targetIncentiveSchema = z.strictObject({
  amount: nonNegativeDecimalString,
  /** The period `amount` is stated for; a component's share per measurement period is converted by months. */
  per: periodKindSchema.default('year'),
  /** Per-payee amounts that replace `amount`. */
  byPayee: z.record(z.string(), nonNegativeDecimalString).optional(),
});

export const planVersionSchema = z.strictObject({
  id,
  /** Inclusive. A measurement period uses the version in force on its first day. */
  effectiveFrom: isoDate,
  targetIncentive: targetIncentiveSchema.optional(),
  /** The component shown as the payee's quota / credited / attainment; default the first. */
  primaryComponentId: id.optional(),
  crediting: creditingSchema.default({
    creditDate: 'closeDate',
    eligibility: 'booked',
    splits: 'shares',
    overlay: 'credit',
    rollUp: 'none',
    filter: {},
  }),
  components: z.array(componentSchema).min(1, { message: 'a plan version needs at least one component' }),
  bonuses: z.array(bonusSchema).default([]),
  spifs: z.array(spifSchema).default([]),
  draw: drawSchema.optional(),
  clawback: clawbackSchema.optional(),
  overrides: z.array(overrideSchema).default([]),
});

export const roundingSchema = z.strictObject({
  /** line: every payout line is rounded · statement: lines stay exact, the statement total is rounded and the difference is a rounding line. */
  scope: z.enum(['line', 'statement']).default('line'),
  decimals: z.number().int().min(0).max(8).default(2),
  mode: z.enum(ROUNDING_MODE_NAMES).default('half-even'),
});

export const planObjectSchema = z.strictObject({
  id,
  name: z.string().min(1),
  currency: currencyCode,
  calendar: z
    .strictObject({ fiscalYearStartMonth: z.number().int().min(1).max(12) })
    .default({ fiscalYearStartMonth: 1 }),
  rounding: roundingSchema.default({ scope: 'line', decimals: 2, mode: 'half-even' }),
  /** Settlement: each statement pays earned-to-date in the plan year minus paid-to-date (payments), so restatements self-correct. */
  settlement: z
    .strictObject({ method: z.enum(['earnedMinusPaid']).default('earnedMinusPaid') })
    .default({ method: 'earnedMinusPaid' }),
  versions: z.array(planVersionSchema).min(1, { message: 'a plan needs at least one version' }),
});

export type CreditFilter = z.infer<typeof creditFilterSchema>;
export type Crediting = z.infer<typeof creditingSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type Tier = z.infer<typeof tierSchema>;
export type TierTable = z.infer<typeof tierTableSchema>;
export type Cap = z.infer<typeof capSchema>;
export type QuotaRule = z.infer<typeof quotaRuleSchema>;
export type Component = z.infer<typeof componentSchema>;
export type Bonus = z.infer<typeof bonusSchema>;
export type Spif = z.infer<typeof spifSchema>;
export type SpifPayout = z.infer<typeof spifPayoutSchema>;
export type Draw = z.infer<typeof drawSchema>;
export type Clawback = z.infer<typeof clawbackSchema>;
export type Override = z.infer<typeof overrideSchema>;
export type TargetIncentive = z.infer<typeof targetIncentiveSchema>;
export type PlanVersion = z.infer<typeof planVersionSchema>;
export type Rounding = z.infer<typeof roundingSchema>;
export type Plan = z.infer<typeof planObjectSchema>;
export type PlanInput = z.input<typeof planObjectSchema>;

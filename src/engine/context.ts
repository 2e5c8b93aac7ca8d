import { Decimal } from '../money/decimal.js';
import { FxTable } from '../money/fx.js';
import type { DataSet, Payee, Payment } from '../data/schema.js';
import type { Plan } from '../plan/schema.js';
import { checkDataSet } from '../plan/data-check.js';
import { creditAll, compareCredits, type Credit, type CreditContext } from '../credit/credit.js';
import { fiscalYearOf, type FiscalCalendar } from '../time/calendar.js';
import { recordInForce } from '../time/ranges.js';
import type { DataWarning, PayoutLine, TierSlice, TraceStep } from './types.js';
import { QuotaBook } from './quota.js';

/** Everything a calculation reads. Money in `data` is decimal strings; "now" (`asOf`) is passed in, never read. */
export interface EngineInput {
  /** One plan (everyone is on it) or several, chosen per payee by `data.assignments`. */
  plans: Plan | readonly Plan[];
  data: DataSet;
  /** The statement period: "2026", "2026-Q3" or "2026-07" (fiscal ids). */
  periodId: string;
  /** "Now": cancellations on or before it are clawed back. Default: the end of the period. */
  asOf?: string;
  /** Build each line's trace and tier slices (default true). */
  explain?: boolean;
}

/** A line's explanation as rendered on first read: trace steps and, for commission lines, tier slices. */
export interface Explained {
  trace: TraceStep[];
  tiers: TierSlice[];
}

/** A payout line as the engine keeps it: the public line plus its date and exact value. */
export interface EngineLine extends PayoutLine {
  date: string;
  value: Decimal;
  /** Lines from the integer fast path: `value` as an integer at scale `minorScale`, so statements add integers. */
  minor?: number;
  minorScale?: number;
}

/**
 * Lazily explained lines: `trace` (and `tiers`) are own enumerable getters (so JSON, spreads and equality see
 * them like data) that render once, on first read, from the values the line kept. The renderer sits under a
 * non-enumerable symbol, so it never shows in output. Shared descriptors keep every such line on one V8 shape.
 */
export const EXPLAINER = Symbol('explainer');

/** Renders a line's explanation once and keeps it. */
export interface Explainer {
  explain(): Explained;
}

type Explainable = { [EXPLAINER]: Explainer };
const TRACE: PropertyDescriptor = {
  get(this: Explainable) {
    return this[EXPLAINER].explain().trace;
  },
  enumerable: true,
  configurable: true,
};
const TIERS: PropertyDescriptor = {
  get(this: Explainable) {
    return this[EXPLAINER].explain().tiers;
  },
  enumerable: true,
  configurable: true,
};

class Memo implements Explainer {
  private done: Explained | undefined = undefined;
  constructor(private readonly render: () => Explained) {}
  explain(): Explained {
    return (this.done ??= this.render());
  }
}

/** Memoizes `render` and hides it on `line`; call before `defineTrace`. */
export function attachExplanation(line: object, render: () => Explained): void {
  Object.defineProperty(line, EXPLAINER, { value: new Memo(render) });
}

/** Adds the `trace` getter at this position of the line's keys (`tiers` likewise with `defineTiers`). */
export function defineTrace(line: object): void {
  Object.defineProperty(line, 'trace', TRACE);
}

export function defineTiers(line: object): void {
  Object.defineProperty(line, 'tiers', TIERS);
}

/** The explainer of a lazily explained line, to hand on to a copy of it. */
export function explainerOf(line: object): Explainer | undefined {
  return (line as Partial<Explainable>)[EXPLAINER];
}

/** Gives `copy` the same lazy explanation as the line it was made from. */
export function shareExplanation(copy: object, explainer: Explainer): void {
  Object.defineProperty(copy, EXPLAINER, { value: explainer });
}

/** One (payee, fiscal year) partition: everything that payee earned that year, line by line. */
export interface Partition {
  payeeId: string;
  fiscalYear: number;
  lines: EngineLine[];
  /** Credit per component id per fiscal month (index 0 = fiscal month 1). */
  credited: Map<string, Decimal[]>;
  /** Lifetime per-customer cap inputs at the end of the year (key: component id + customer id). */
  customerTotals: Map<string, Decimal>;
}

export interface EngineContext {
  plans: Plan[];
  calendar: FiscalCalendar;
  data: DataSet;
  payees: Map<string, Payee>;
  /** Direct reports by manager id. */
  reports: Map<string, string[]>;
  credits: Map<string, Credit[]>;
  quotas: QuotaBook;
  payments: Map<string, Payment[]>;
  fx: FxTable;
  asOf: string | undefined;
  explain: boolean;
  warnings: DataWarning[];
  /** Keys of `warnings`, so each problem is reported once. */
  warningKeys: Set<string>;
  planFor(payeeId: string, date: string): Plan | undefined;
  /** Memo of computed partitions, "payeeId\u0000year". */
  partitions: Map<string, Partition>;
  /** Memo of team-pool SPIF shares, "planId\u0000spifId" → payee → amount. */
  pools: Map<string, Map<string, Decimal>>;
  /** Years with any credit, per payee (for lifetime caps and clawbacks across years). */
  creditYears: Map<string, number[]>;
}

export function planList(plans: Plan | readonly Plan[]): Plan[] {
  return Array.isArray(plans) ? [...(plans as readonly Plan[])] : [plans as Plan];
}

/**
 * Prepares a calculation: credits every deal once, indexes credits, quotas and payments by payee. The
 * returned context memoizes partitions, so one context serves a full calculation; the service keeps the
 * partitions and recomputes only those `touchedPartitions` names after a change.
 */
export function prepare(input: Omit<EngineInput, 'periodId'> & { periodId?: string }): EngineContext {
  const plans = planList(input.plans);
  if (plans.length === 0) throw new Error('[Attain] calculate needs at least one plan');
  const calendar = plans[0]!.calendar;
  for (const p of plans) {
    if (p.calendar.fiscalYearStartMonth !== calendar.fiscalYearStartMonth) {
      throw new Error(
        `[Attain] plans "${plans[0]!.id}" and "${p.id}" use different fiscal calendars; calculate them separately`,
      );
    }
  }
  const data = input.data;
  const payees = new Map(data.payees.map((p) => [p.id, p]));
  const reports = new Map<string, string[]>();
  for (const p of data.payees) {
    if (!p.managerId) continue;
    const list = reports.get(p.managerId);
    if (list) list.push(p.id);
    else reports.set(p.managerId, [p.id]);
  }
  const byId = new Map(plans.map((p) => [p.id, p]));
  const assignments = new Map<string, DataSet['assignments']>();
  for (const a of data.assignments) {
    const list = assignments.get(a.payeeId);
    if (list) list.push(a);
    else assignments.set(a.payeeId, [a]);
  }
  const single = plans.length === 1 && data.assignments.length === 0 ? plans[0]! : undefined;
  const planFor = (payeeId: string, date: string): Plan | undefined => {
    if (single) return single;
    const list = assignments.get(payeeId);
    if (!list) return undefined;
    const a = recordInForce(list, date, (r) => ({ from: r.from, to: r.to ?? null }));
    return a ? byId.get(a.planId) : undefined;
  };

  const { warnings } = checkDataSet(data, plans);
  const fx = new FxTable(data.fxRates);
  const creditCtx: CreditContext = { payees, planFor, fx };
  const creditWarnings: DataWarning[] = [];
  const credits = creditAll(data.deals, creditCtx, creditWarnings);
  const creditYears = new Map<string, number[]>();
  for (const [payeeId, list] of credits) {
    list.sort(compareCredits);
    const years: number[] = [];
    for (const c of list) {
      const y = fiscalYearOf(c.date, calendar);
      if (years[years.length - 1] !== y) years.push(y);
    }
    creditYears.set(payeeId, years);
  }
  const payments = new Map<string, Payment[]>();
  for (const p of data.payments) {
    const list = payments.get(p.payeeId);
    if (list) list.push(p);
    else payments.set(p.payeeId, [p]);
  }
  const seen = new Set(warnings.map(warningKey));
  for (const w of creditWarnings) {
    const key = warningKey(w);
    if (!seen.has(key)) {
      seen.add(key);
      warnings.push(w);
    }
  }
  return {
    plans,
    calendar,
    data,
    payees,
    reports,
    credits,
    quotas: new QuotaBook(data.quotas, calendar),
    payments,
    fx,
    asOf: input.asOf,
    explain: input.explain ?? true,
    warnings,
    warningKeys: seen,
    planFor,
    partitions: new Map(),
    pools: new Map(),
    creditYears,
  };
}

export function warningKey(w: DataWarning): string {
  return `${w.code}\u0000${w.dealId ?? ''}\u0000${w.payeeId ?? ''}\u0000${w.periodId ?? ''}\u0000${w.message}`;
}

export function addWarning(ctx: EngineContext, w: DataWarning): void {
  const key = warningKey(w);
  if (ctx.warningKeys.has(key)) return;
  ctx.warningKeys.add(key);
  ctx.warnings.push(w);
}

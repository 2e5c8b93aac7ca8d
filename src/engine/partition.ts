import { Decimal, ONE, ZERO, dec, round, toDecimalString } from '../money/decimal.js';
import { formatScaled, formatScaledMinimal, fromScaledInteger, roundScaled, toScaledInteger } from '../money/scaled.js';
import { allocate } from '../money/allocate.js';
import type { Payee } from '../data/schema.js';
import type { Component, Gate, Plan, PlanVersion, Spif, TierTable } from '../plan/schema.js';
import { productCreditAmount, versionAt, versionOn, type Credit } from '../credit/credit.js';
import { dealUnits, matchesFilter } from '../credit/filter.js';
import {
  fiscalYearOf,
  parsePeriodId,
  periodContaining,
  periodsOfYear,
  type Period,
  type PeriodKind,
} from '../time/calendar.js';
import { parseDate } from '../time/dates.js';
import { scaleTable, step, type ScaledTable, type Slice } from './tiers.js';
import {
  EXPLAINER,
  addWarning,
  attachExplanation,
  defineTiers,
  defineTrace,
  type EngineContext,
  type EngineLine,
  type Explained,
  type Explainer,
  type Partition,
} from './context.js';
import type { PayoutLineKind, TierSlice, TraceStep } from './types.js';

const MONTHS: Record<PeriodKind, number> = { month: 1, quarter: 3, year: 12 };
const NO_SLICES: readonly Slice[] = Object.freeze([]);
const s = (d: Decimal) => toDecimalString(d);

/** A cap that clipped a line, kept as values so the trace can be rendered later. */
interface CapHit {
  kind: string;
  amount: string;
  before: Decimal;
  after: Decimal;
}

function capStep(h: CapHit): TraceStep {
  return {
    step: 'cap',
    rule: `caps.${h.kind}`,
    text: `${h.kind} cap of ${h.amount} reached: ${s(h.before)} → ${s(h.after)} (the remainder up to the cap is paid)`,
    values: { before: s(h.before), after: s(h.after), cap: h.amount },
  };
}

function attainmentCapStep(capX: Decimal): TraceStep {
  return {
    step: 'cap',
    rule: 'caps.attainment',
    text: `credit above ${s(capX)} (the attainment cap) earns nothing here`,
    values: { capAt: s(capX) },
  };
}

function noQuotaStep(periodId: string): TraceStep {
  return {
    step: 'tier',
    rule: 'quota',
    text: `no quota for ${periodId}: attainment cannot be measured, nothing is paid`,
  };
}

const ruleTexts = new WeakMap<TierTable, string>();

function tierTrace(
  componentId: string,
  r: TierTable,
  periodId: string,
  quota: string | null,
  periodToDate: Decimal,
  creditStr: string,
  payout: Decimal,
  slices: readonly Slice[],
  sliceOut: TierSlice[],
): TraceStep {
  const parts = slices.map((sl, i) =>
    sl.tier
      ? `${sliceOut[i]!.creditInTier} in ${sl.tier.label} × ${sl.tier.rate}${sl.tier.multiplier !== '1' ? ` × ${sl.tier.multiplier}` : ''}`
      : `curve ${s(sl.inInput)}`,
  );
  const payoutStr = slices.length === 1 ? sliceOut[0]!.payout : s(payout);
  let rule = ruleTexts.get(r);
  if (rule === undefined)
    ruleTexts.set(
      r,
      (rule = `rates.application=${r.application}; rates.input=${r.input}; rates.axis=${r.axis}; rates.basis=${r.basis}`),
    );
  return {
    step: 'tier',
    rule,
    text: `credit ${creditStr} on ${componentId} (${periodId}${quota ? `, quota ${quota}` : ''}): ${parts.join(' + ')} = ${payoutStr}`,
    values: { credit: creditStr, payout: payoutStr, quota, periodToDate: s(periodToDate) },
  };
}

function tierSlice(axis: TierTable['axis'], table: ScaledTable, sl: Slice): TierSlice {
  const t = sl.tier;
  const inTier = axis === 'attainment' ? sl.inInput.dividedBy(table.scale) : sl.inInput;
  return {
    tierIndex: t?.index ?? 0,
    label: t?.label ?? 'curve',
    from: t?.from ?? '0',
    to: t?.to ?? null,
    inTier: s(inTier),
    creditInTier: s(sl.credit),
    rate: t?.rate ?? '1',
    multiplier: t?.multiplier ?? '1',
    payout: s(sl.payout),
  };
}

/** What a fast-path line keeps to explain itself later. */
interface FastWhy {
  c: Credit;
  stId: string;
  comp: Component;
  table: ScaledTable;
  periodId: string;
  quotaText: string | null;
  /** Period-to-date credit before and after the line, at scale `a`. */
  x0: number;
  x1: number;
  a: number;
  v0: number;
  p: number;
  hits: { kind: string; amount: string; before: number; after: number }[] | null;
  out: number;
  creditStr: string;
}

/** A commission line from the integer fast path: its Decimal value, trace and tier slices are built on first read. */
class FastLine implements EngineLine, Explainer {
  readonly kind = 'commission' as const;
  private decimal: Decimal | undefined = undefined;
  private done: Explained | undefined = undefined;

  constructor(
    readonly id: string,
    readonly payeeId: string,
    readonly periodId: string,
    readonly componentId: string,
    readonly dealId: string,
    readonly credit: string,
    readonly amount: string,
    readonly date: string,
    readonly minor: number,
    readonly minorScale: number,
    private readonly builder: PartitionBuilder,
    private readonly why: FastWhy | null,
  ) {}

  get value(): Decimal {
    return (this.decimal ??= fromScaledInteger(this.minor, this.minorScale));
  }

  get trace(): TraceStep[] {
    return this.why ? this.explain().trace : [];
  }

  get tiers(): TierSlice[] | undefined {
    return this.why ? this.explain().tiers : undefined;
  }

  get [EXPLAINER](): Explainer | undefined {
    return this.why ? this : undefined;
  }

  explain(): Explained {
    return (this.done ??= this.builder.explainFast(this.why!, this.value));
  }
}

/** The component rules in force
 for one fiscal month: each measurement period uses the version in force on its first day. */
interface Active {
  plan: Plan;
  version: PlanVersion;
  comp: Component;
  isPrimary: boolean;
}

function primaryId(v: PlanVersion): string {
  return v.primaryComponentId ?? v.components[0]!.id;
}

function activeComponents(plan: Plan, month: Period, ctx: EngineContext, reuse: Map<string, Active>): Active[] {
  const v0 = versionOn(plan, month.start);
  if (!v0) return [];
  const out: Active[] = [];
  for (const c0 of v0.components) {
    const start = periodContaining(month.start, c0.period, ctx.calendar).start;
    const v = versionOn(plan, start) ?? v0;
    const comp = v.components.find((c) => c.id === c0.id);
    if (!comp) continue;
    // one Active per (plan, version, component), so a state sees a rule change only when the version changes
    const key = `${plan.id}\u0000${v.id}\u0000${comp.id}`;
    let active = reuse.get(key);
    if (!active) reuse.set(key, (active = { plan, version: v, comp, isPrimary: primaryId(v) === comp.id }));
    out.push(active);
  }
  return out;
}

const capOrder = { perTransaction: 0, perCustomer: 1, perPeriod: 2 } as const;
const capsCache = new WeakMap<
  Component,
  { cap: Exclude<Component['caps'][number], { kind: 'attainment' }>; limit: Decimal }[]
>();

/** The component's amount caps in the order they apply (transaction → customer → period), parsed once. */
function orderedCaps(
  comp: Component,
): { cap: Exclude<Component['caps'][number], { kind: 'attainment' }>; limit: Decimal }[] {
  let list = capsCache.get(comp);
  if (!list) {
    list = comp.caps
      .flatMap((cap) => (cap.kind === 'attainment' ? [] : [{ cap, limit: dec(cap.amount) }]))
      .sort((a, b) => capOrder[a.cap.kind] - capOrder[b.cap.kind]);
    capsCache.set(comp, list);
  }
  return list;
}

const parsedCache = new Map<string, Decimal>();
/** Plan constants (amounts, rates) parsed once per distinct string. */
function parsed(value: string): Decimal {
  let d = parsedCache.get(value);
  if (!d) parsedCache.set(value, (d = dec(value)));
  return d;
}

/** Running state of one component through the year. */
interface CompState {
  id: string;
  active: Active;
  period: Period | null;
  quota: Decimal | null;
  annualQuota: Decimal | null;
  table: ScaledTable | null;
  capX: Decimal | null;
  pAmount: Decimal;
  pCount: Decimal;
  yAmount: Decimal;
  yCount: Decimal;
  value: Decimal;
  gated: boolean;
  tierRaw: Decimal[];
  forfeited: Decimal[];
  earned: Decimal;
  periodCapIn: Decimal;
  /** Trace strings that only change with the period or the rules. */
  quotaText?: string | null;
  /** Exact scaled-integer form of this period's table and caps when everything fits (see `fastTable`), else null. */
  fast: FastTable | null;
  /** With `fast`: value and period-cap input so far, at scale `fast.p`; tier input so far at scale `fast.a`. */
  valueU: number;
  capInU: number;
  xU: number;
}

/**
 * A period's marginal table and amount caps as safe integers: edges at scale a, slopes at scale r, values and
 * cap limits at scale p = a + r. Exact, so every line computed from it equals the Decimal computation.
 */
interface FastTable {
  a: number;
  p: number;
  lo: number[];
  c: number[];
  s: number[];
  caps: { kind: 'perTransaction' | 'perPeriod'; amount: string; limit: number }[];
}

const MAX_SCALE = 12;
/** Monthly credit is added in units of 10^−4 (any currency's minor unit), larger or finer amounts as Decimals. */
const CREDIT_SCALE = 4;

/** The integer form of a scaled table, or null when a rule or a number does not fit the fast path. */
function fastTable(table: ScaledTable, comp: Component): FastTable | null {
  const r = table.table;
  if (table.points || r.basis !== 'credit' || r.axis === 'count' || r.input !== 'period') return null;
  let a = 2;
  let rs = 0;
  for (const t of table.tiers) {
    if (t.retro) return null;
    a = Math.max(a, t.lo.decimalPlaces());
    rs = Math.max(rs, t.s.decimalPlaces());
  }
  const p = a + rs;
  if (p > MAX_SCALE) return null;
  const lo: number[] = [];
  const c: number[] = [];
  const s: number[] = [];
  for (const t of table.tiers) {
    const l = toScaledInteger(t.lo, a);
    const v = toScaledInteger(t.c, p);
    const k = toScaledInteger(t.s, rs);
    if (l === undefined || v === undefined || k === undefined) return null;
    lo.push(l);
    c.push(v);
    s.push(k);
  }
  const caps: FastTable['caps'] = [];
  for (const { cap, limit } of orderedCaps(comp)) {
    if (cap.kind === 'perCustomer') return null;
    const l = toScaledInteger(limit, p);
    if (l === undefined) return null;
    caps.push({ kind: cap.kind, amount: cap.amount, limit: l });
  }
  return { a, p, lo, c, s, caps };
}

interface BonusState {
  period: Period | null;
  amount: Decimal;
  quota: Decimal | null;
  paid: Decimal;
}

/** Builds lines for one (payee, fiscal year). Pure: same inputs, same lines, whatever else is in the context. */
class PartitionBuilder {
  readonly lines: EngineLine[] = [];
  readonly credited = new Map<string, Decimal[]>();
  readonly customerTotals: Map<string, Decimal>;
  private readonly states = new Map<string, CompState>();
  private readonly bonuses = new Map<string, BonusState>();
  private readonly spifCounts = new Map<string, number>();
  private readonly months: Period[];
  /** "YYYY-MM" of each fiscal month's start → its index: fiscal months are calendar months, so a date maps by its prefix. */
  private readonly monthIndexByPrefix = new Map<string, number>();
  private readonly activeCache = new Map<Plan, (Active[] | undefined)[]>();
  private readonly activeObjects = new Map<string, Active>();
  private readonly rounding: { decimals: number; mode: Plan['rounding']['mode']; line: boolean };

  constructor(
    private readonly ctx: EngineContext,
    private readonly payee: Payee,
    private readonly year: number,
    openingCustomerTotals: Map<string, Decimal>,
  ) {
    this.months = periodsOfYear(year, 'month', ctx.calendar);
    this.months.forEach((m, i) => this.monthIndexByPrefix.set(m.start.slice(0, 7), i));
    this.customerTotals = new Map(openingCustomerTotals);
    const plan = ctx.planFor(payee.id, this.months[0]!.start) ?? ctx.plans[0]!;
    this.rounding = {
      decimals: plan.rounding.decimals,
      mode: plan.rounding.mode,
      line: plan.rounding.scope === 'line',
    };
  }

  /** Year-to-date credit is only kept when some gate reads annual attainment (year-input components keep it anyway). */
  private get readsYear(): boolean {
    if (this.readsYearCache === undefined) {
      this.readsYearCache = this.ctx.plans.some((p) =>
        p.versions.some((v) =>
          v.components.some((c) =>
            [...c.gates, ...c.rates.tiers.flatMap((t) => (t.gate ? [t.gate] : []))].some((g) => g.on === 'annual'),
          ),
        ),
      );
    }
    return this.readsYearCache;
  }

  private readsYearCache: boolean | undefined;

  private get explain(): boolean {
    return this.ctx.explain;
  }

  /** Rounds a line per the plan's rounding policy (statement scope keeps lines exact). */
  private finish(value: Decimal): Decimal {
    return this.rounding.line && value.decimalPlaces() > this.rounding.decimals
      ? round(value, this.rounding.decimals, this.rounding.mode)
      : value;
  }

  private roundingStep(exact: Decimal, value: Decimal): TraceStep {
    const ex = s(exact);
    if (!this.rounding.line)
      return {
        step: 'rounding',
        rule: 'rounding.scope=statement',
        text: 'kept exact; the statement total is rounded',
        values: { exact: ex },
      };
    const rounded = toDecimalString(value, this.rounding.decimals);
    return {
      step: 'rounding',
      rule: this.roundingRule,
      text: `${ex} rounded to ${rounded}`,
      values: { exact: ex, rounded },
    };
  }

  private get roundingRule(): string {
    return (this.roundingRuleText ??= `rounding.scope=line; rounding.decimals=${this.rounding.decimals}; rounding.mode=${this.rounding.mode}`);
  }

  private roundingRuleText: string | undefined;

  private push(line: Omit<EngineLine, 'amount' | 'payeeId' | 'periodId'>): void {
    const amount = this.rounding.line ? toDecimalString(line.value, this.rounding.decimals) : s(line.value);
    const l = line as EngineLine;
    l.payeeId = this.payee.id;
    l.periodId = this.months[this.monthIndex(line.date)]!.id;
    l.amount = amount;
    this.setMinor(l);
    this.lines.push(l);
  }

  /** A line-rounded value in minor units, so statements add it as an integer (see `payeePeriodResult`). */
  private setMinor(l: EngineLine): void {
    if (!this.rounding.line) return;
    const minor = toScaledInteger(l.value, this.rounding.decimals);
    if (minor === undefined) return;
    l.minor = minor;
    l.minorScale = this.rounding.decimals;
  }

  /** Monthly credit in units of 10^−CREDIT_SCALE per component, added to `credited` when the partition is done. */
  private readonly creditedUnits = new Map<string, number[]>();

  private addCredit(componentId: string, monthIndex: number, amount: Decimal): void {
    let units = this.creditedUnits.get(componentId);
    if (!units) this.creditedUnits.set(componentId, (units = this.months.map(() => 0)));
    const u = toScaledInteger(amount, CREDIT_SCALE);
    const next = u === undefined ? NaN : units[monthIndex]! + u;
    if (Number.isSafeInteger(next)) {
      units[monthIndex] = next;
      return;
    }
    let monthly = this.credited.get(componentId);
    if (!monthly) this.credited.set(componentId, (monthly = this.months.map(() => ZERO)));
    monthly[monthIndex] = monthly[monthIndex]!.plus(amount);
  }

  /** Folds the integer monthly credit into `credited` (Decimal per fiscal month), once, when the partition is done. */
  settleCredited(): void {
    for (const [componentId, units] of this.creditedUnits) {
      let monthly = this.credited.get(componentId);
      if (!monthly) this.credited.set(componentId, (monthly = this.months.map(() => ZERO)));
      for (let i = 0; i < units.length; i++)
        if (units[i] !== 0) monthly[i] = monthly[i]!.plus(fromScaledInteger(units[i]!, CREDIT_SCALE));
    }
    this.creditedUnits.clear();
  }

  /** Pushes a line whose trace (and tier slices, for commission lines) are rendered on first read. */
  private pushExplained(
    line: Omit<EngineLine, 'amount' | 'payeeId' | 'periodId' | 'trace' | 'tiers'>,
    withTiers: boolean,
    render: () => Explained,
  ): void {
    const l = line as EngineLine;
    l.payeeId = this.payee.id;
    l.periodId = this.months[this.monthIndex(line.date)]!.id;
    l.amount = this.rounding.line ? toDecimalString(line.value, this.rounding.decimals) : s(line.value);
    this.setMinor(l);
    attachExplanation(l, render);
    defineTrace(l);
    if (withTiers) defineTiers(l);
    this.lines.push(l);
  }

  private monthIndex(date: string): number {
    const i = this.monthIndexByPrefix.get(date.slice(0, 7));
    if (i === undefined) throw new Error(`[Attain] ${date} is outside fiscal year ${this.year}`);
    return i;
  }

  activeFor(date: string): Active[] {
    const m = this.months[this.monthIndex(date)]!;
    const plan = this.ctx.planFor(this.payee.id, date);
    if (!plan) return [];
    let byMonth = this.activeCache.get(plan);
    if (!byMonth) this.activeCache.set(plan, (byMonth = []));
    const i = this.monthIndex(date);
    let list = byMonth[i];
    if (!list) byMonth[i] = list = activeComponents(plan, m, this.ctx, this.activeObjects);
    return list;
  }

  private quotaOf(active: Active, period: Period): Decimal | null {
    const q = this.ctx.quotas.quotaFor(this.payee, active.comp, active.isPrimary, period);
    const needs =
      active.comp.rates.axis === 'attainment' ||
      active.comp.rates.basis === 'targetIncentive' ||
      active.comp.caps.some((c) => c.kind === 'attainment') ||
      active.comp.gates.length > 0;
    if (needs && q === null) {
      addWarning(this.ctx, {
        code: 'missing-quota',
        message: `no quota for "${this.payee.id}" on component "${active.comp.id}" in ${period.id}; it pays nothing there`,
        payeeId: this.payee.id,
        periodId: period.id,
      });
    } else if (needs && q !== null && q.isZero()) {
      addWarning(this.ctx, {
        code: 'zero-quota',
        message: `quota of "${this.payee.id}" on component "${active.comp.id}" in ${period.id} is 0; attainment is reported as 0`,
        payeeId: this.payee.id,
        periodId: period.id,
      });
    }
    return q;
  }

  private targetIncentive(active: Active, kind: PeriodKind): Decimal {
    const ti = active.version.targetIncentive;
    if (!ti) return ZERO;
    const amount = dec(ti.byPayee?.[this.payee.id] ?? ti.amount);
    const weight = active.comp.weight === undefined ? ONE : dec(active.comp.weight);
    return amount.times(weight).times(MONTHS[kind]).dividedBy(MONTHS[ti.per]);
  }

  /** Rolls a component into the measurement period containing `date` (resets period-to-date state). */
  private stateFor(active: Active, date: string): CompState {
    let st = this.states.get(active.comp.id);
    if (!st) {
      st = {
        id: active.comp.id,
        active,
        period: null,
        quota: null,
        annualQuota: null,
        table: null,
        capX: null,
        pAmount: ZERO,
        pCount: ZERO,
        yAmount: ZERO,
        yCount: ZERO,
        value: ZERO,
        gated: false,
        tierRaw: [],
        forfeited: [],
        earned: ZERO,
        periodCapIn: ZERO,
        fast: null,
        valueU: 0,
        capInU: 0,
        xU: 0,
      };
      this.states.set(active.comp.id, st);
    }
    if (st.period && date <= st.period.end && st.active === active) return st;
    if (!st.period || date > st.period.end) {
      const comp = active.comp;
      const period = periodContaining(date, comp.period, this.ctx.calendar);
      const versionChanged = st.active !== active;
      st.active = active;
      st.period = period;
      st.quota = this.quotaOf(active, period);
      st.quotaText = st.quota ? s(st.quota) : null;
      if (st.annualQuota === null || versionChanged)
        st.annualQuota = this.quotaOf(active, parsePeriodId(String(this.year).padStart(4, '0'), this.ctx.calendar));
      const rates = comp.rates;
      const scopeQuota = rates.input === 'year' ? st.annualQuota : st.quota;
      const scopeKind: PeriodKind = rates.input === 'year' ? 'year' : comp.period;
      const needsQuota = rates.axis === 'attainment' || rates.basis === 'targetIncentive';
      st.table =
        needsQuota && (scopeQuota === null || scopeQuota.isZero())
          ? null
          : scaleTable(
              rates,
              rates.axis === 'attainment' ? scopeQuota! : ONE,
              this.targetIncentive(active, scopeKind),
              scopeQuota,
            );
      const attainmentCap = comp.caps.find((c) => c.kind === 'attainment');
      st.capX = attainmentCap && scopeQuota ? dec(attainmentCap.maxAttainment).times(scopeQuota) : null;
      st.pAmount = ZERO;
      st.pCount = ZERO;
      if (rates.input !== 'year') st.value = ZERO;
      st.gated = comp.gates.length > 0 || rates.tiers.some((t) => t.gate !== undefined);
      st.tierRaw = rates.tiers.map(() => ZERO);
      if (st.tierRaw.length === 0) st.tierRaw = [ZERO];
      st.forfeited = st.tierRaw.map(() => ZERO);
      st.earned = ZERO;
      st.periodCapIn = ZERO;
      st.fast = st.table && !st.gated && !st.capX && this.rounding.line ? fastTable(st.table, comp) : null;
      st.valueU = 0;
      st.capInU = 0;
      st.xU = 0;
    }
    return st;
  }

  private attainmentOf(st: CompState | undefined, date: string, annual: boolean): Decimal {
    if (!st || !st.period) return ZERO;
    if (annual) return st.annualQuota && !st.annualQuota.isZero() ? st.yAmount.dividedBy(st.annualQuota) : ZERO;
    if (date > st.period.end) return ZERO;
    const amount = st.fast ? fromScaledInteger(st.xU, st.fast.a) : st.pAmount;
    return st.quota && !st.quota.isZero() ? amount.dividedBy(st.quota) : ZERO;
  }

  private gateOpen(g: Gate, st: CompState, date: string): boolean {
    const target = g.on === 'self' ? st : this.states.get(g.componentId ?? st.id);
    return this.attainmentOf(target, date, g.on === 'annual').greaterThanOrEqualTo(dec(g.minAttainment));
  }

  /** Cumulative earned value in the period after gates: shut tiers hold (release) or lose (forfeit) what they made. */
  private gatedEarned(st: CompState, date: string): { earned: Decimal; shut: Gate[] } {
    const comp = st.active.comp;
    const shutComponent = comp.gates.filter((g) => !this.gateOpen(g, st, date));
    let earned = ZERO;
    const shut = [...shutComponent];
    st.tierRaw.forEach((raw, k) => {
      const tierGate = comp.rates.tiers[k]?.gate;
      const tierShut = tierGate !== undefined && !this.gateOpen(tierGate, st, date);
      if (tierShut && tierGate) shut.push(tierGate);
      if (shutComponent.length > 0 || tierShut) {
        const forfeit = [...shutComponent, ...(tierShut && tierGate ? [tierGate] : [])].some(
          (g) => g.whenMet === 'forfeit',
        );
        if (forfeit) st.forfeited[k] = raw;
      } else {
        earned = earned.plus(raw.minus(st.forfeited[k]!));
      }
    });
    return { earned, shut };
  }

  /** Caps the remainder, not the whole line: each cap clips a running total, so the crossing line is partly paid. */
  private applyCaps(st: CompState, delta: Decimal, credit: Credit | null, hits: CapHit[] | null): Decimal {
    let out = delta;
    for (const { cap, limit } of orderedCaps(st.active.comp)) {
      const before = out;
      if (cap.kind === 'perTransaction') {
        if (!credit) continue;
        if (out.greaterThan(limit)) out = limit;
      } else if (cap.kind === 'perCustomer') {
        const customer = credit?.deal.customerId;
        if (!credit || customer === undefined) continue;
        const key = `${st.id}\u0000${customer}`;
        const sum = this.customerTotals.get(key) ?? ZERO;
        out = Decimal.min(sum.plus(out), limit).minus(Decimal.min(sum, limit));
        this.customerTotals.set(key, sum.plus(before));
      } else {
        const sum = st.periodCapIn;
        const after = sum.plus(before);
        // below the cap the line passes untouched; only the crossing line and later ones are clipped
        if (after.greaterThan(limit)) out = Decimal.min(after, limit).minus(Decimal.min(sum, limit));
        st.periodCapIn = after;
      }
      if (hits && !out.equals(before)) hits.push({ kind: cap.kind, amount: cap.amount, before, after: out });
    }
    return out;
  }

  private amountFor(c: Credit, comp: Component): Decimal {
    const products = comp.filter?.products;
    return products ? productCreditAmount(c, products) : c.amount;
  }

  private creditTrace(c: Credit): TraceStep[] {
    const steps: TraceStep[] = [
      {
        step: 'credit',
        rule: c.rule,
        text: `deal ${c.deal.id} (${c.deal.amount} ${c.deal.currency}, credited ${c.date}) → ${c.payeeId}: ${c.role}${c.role === 'rollup' ? ` of ${c.fromPayeeId}` : ''}`,
        values: {
          dealId: c.deal.id,
          dealAmount: c.deal.amount,
          dealCurrency: c.deal.currency,
          creditDate: c.date,
          role: c.role,
          share: c.share === ONE ? '1' : s(c.share),
        },
      },
    ];
    if (c.fxRate !== '1')
      steps.push({
        step: 'fx',
        rule: 'currency: dated FX at the credit date',
        text: `${c.deal.currency}→${c.currency} at ${c.fxRate}`,
        values: { rate: c.fxRate, credit: s(c.amount) },
      });
    return steps;
  }

  /** One credit through one component: tier input → tiers → multipliers → gates → caps → rounding. */
  commission(c: Credit, active: Active): void {
    const comp = active.comp;
    if (comp.filter && !matchesFilter(c.deal, comp.filter)) return;
    const st = this.stateFor(active, c.date);
    const amount = this.amountFor(c, comp);
    const rates = comp.rates;
    const count =
      rates.axis !== 'count'
        ? ZERO
        : rates.countBy === 'units'
          ? dealUnits(c.deal, comp.filter).times(c.release)
          : c.releaseIndex === 0
            ? ONE
            : ZERO;
    this.addCredit(comp.id, this.monthIndex(c.date), amount);
    if (st.fast && this.fastCommission(st, c, amount)) {
      this.bonusesAfter(c, active, amount);
      this.releaseCrossGates(c, comp.id);
      return;
    }

    let a0: Decimal;
    let n0: Decimal;
    let before: Decimal;
    if (rates.input === 'transaction') {
      a0 = ZERO;
      n0 = ZERO;
      before = ZERO;
    } else if (rates.input === 'period') {
      a0 = st.pAmount;
      n0 = st.pCount;
      before = st.value;
    } else {
      a0 = st.yAmount;
      n0 = st.yCount;
      before = st.value;
    }
    const a1 = a0.plus(amount);
    const counting = rates.axis === 'count';
    const n1 = counting ? n0.plus(count) : n0;
    st.pAmount = rates.input === 'period' ? a1 : st.pAmount.plus(amount);
    if (rates.input === 'year') st.yAmount = a1;
    else if (this.readsYear) st.yAmount = st.yAmount.plus(amount);
    if (counting) {
      st.pCount = rates.input === 'period' ? n1 : st.pCount.plus(count);
      st.yCount = rates.input === 'year' ? n1 : st.yCount.plus(count);
    }

    // Without gates a line's explanation depends only on values fixed at this point, so it is kept as those
    // values and rendered on first read (serialisation, API, CLI): bulk runs skip ~10 number→text conversions.
    const lazy = this.explain && !st.gated;
    const trace: TraceStep[] | null = this.explain && !lazy ? this.creditTrace(c) : null;
    const creditStr = s(amount);
    const table = st.table;
    const periodId = st.period?.id ?? '';
    const quotaText = st.quotaText ?? null;
    const periodToDate = st.pAmount;
    let sliceOut: TierSlice[] | undefined;
    let raw = ZERO;
    let slices: readonly Slice[] = NO_SLICES;
    let x0 = rates.axis === 'count' ? n0 : a0;
    let x1 = rates.axis === 'count' ? n1 : a1;
    let ca0 = a0;
    let ca1 = a1;
    let capXHit: Decimal | null = null;
    if (table) {
      if (st.capX && rates.axis !== 'count') {
        x0 = Decimal.min(x0, st.capX);
        x1 = Decimal.min(x1, st.capX);
        ca0 = x0;
        ca1 = x1;
        if (this.explain && !x1.equals(a1)) capXHit = st.capX;
        if (trace && capXHit) trace.push(attainmentCapStep(capXHit));
      }
      const r = step(table, x0, x1, ca0, ca1, before, trace !== null || st.gated);
      raw = r.payout;
      slices = r.slices;
      if (rates.input !== 'transaction') st.value = r.value;
      if (trace) {
        sliceOut = slices.map((sl) => tierSlice(rates.axis, table, sl));
        trace.push(tierTrace(st.id, rates, periodId, quotaText, periodToDate, creditStr, r.payout, slices, sliceOut));
      }
    } else if (trace) {
      trace.push(noQuotaStep(periodId));
    }

    let delta = raw;
    if (st.gated) {
      slices.forEach((sl) => {
        const k = sl.tier?.index ?? 0;
        st.tierRaw[k] = st.tierRaw[k]!.plus(sl.payout);
      });
      const { earned, shut } = this.gatedEarned(st, c.date);
      delta = earned.minus(st.earned);
      st.earned = earned;
      if (trace && (shut.length > 0 || !delta.equals(raw))) {
        trace.push({
          step: 'gate',
          rule: 'gates',
          text:
            shut.length > 0
              ? `gate not met (${shut.map((g) => `${g.on}${g.componentId ? ` ${g.componentId}` : ''} ≥ ${g.minAttainment}`).join(', ')}): ${s(raw)} ${shut.some((g) => g.whenMet === 'forfeit') ? 'forfeited' : 'held until it is'}`
              : `gate met: ${s(delta)} paid including held amounts`,
          values: { raw: s(raw), paid: s(delta) },
        });
      }
    }
    const hits: CapHit[] | null = this.explain ? [] : null;
    const capped = this.applyCaps(st, delta, c, hits);
    const value = this.finish(capped);
    const base = {
      id: `${this.payee.id}:commission:${comp.id}:${c.deal.id}:${c.releaseIndex}:${c.role}${c.fromPayeeId ? `:${c.fromPayeeId}` : ''}`,
      kind: 'commission' as const,
      componentId: comp.id,
      dealId: c.deal.id,
      credit: creditStr,
      date: c.date,
      value,
    };
    if (lazy) {
      this.pushExplained(base, true, () => {
        const steps = this.creditTrace(c);
        let tiers: TierSlice[] = [];
        if (table) {
          if (capXHit) steps.push(attainmentCapStep(capXHit));
          const r = step(table, x0, x1, ca0, ca1, before, true);
          tiers = r.slices.map((sl) => tierSlice(rates.axis, table, sl));
          steps.push(tierTrace(st.id, rates, periodId, quotaText, periodToDate, creditStr, r.payout, r.slices, tiers));
        } else {
          steps.push(noQuotaStep(periodId));
        }
        for (const h of hits!) steps.push(capStep(h));
        steps.push(this.roundingStep(capped, value));
        return { trace: steps, tiers };
      });
    } else {
      if (trace) {
        for (const h of hits!) trace.push(capStep(h));
        trace.push(this.roundingStep(capped, value));
      }
      this.push({ ...base, tiers: this.explain ? (sliceOut ?? []) : undefined, trace: trace ?? [] } as Omit<
        EngineLine,
        'amount' | 'payeeId' | 'periodId'
      >);
    }
    this.bonusesAfter(c, active, amount);
    this.releaseCrossGates(c, comp.id);
  }
  /**
   * The common line — a period-to-date marginal table on credit with amount caps and line rounding — in exact
   * scaled integers: the same numbers as the Decimal path below, without its allocations. Returns false (and
   * hands the period's running values back to Decimal) when an amount or a result does not fit.
   */
  private fastCommission(st: CompState, c: Credit, amount: Decimal): boolean {
    const f = st.fast!;
    const au = toScaledInteger(amount, f.a);
    const x0 = st.xU;
    const x1 = au === undefined ? NaN : x0 + au;
    let k = 0;
    for (let i = 1; i < f.lo.length; i++) if (x1 >= f.lo[i]!) k = i;
    const v1 = f.c[k]! + (x1 - f.lo[k]!) * f.s[k]!;
    const v0 = st.valueU;
    const raw = v1 - v0;
    let out = raw;
    let capIn = st.capInU;
    let hits: { kind: string; amount: string; before: number; after: number }[] | null = null;
    for (const cap of f.caps) {
      const before = out;
      if (cap.kind === 'perTransaction') {
        if (out > cap.limit) out = cap.limit;
      } else {
        const after = capIn + before;
        if (after > cap.limit) out = Math.min(after, cap.limit) - Math.min(capIn, cap.limit);
        capIn = after;
      }
      if (out !== before && this.explain)
        (hits ??= []).push({ kind: cap.kind, amount: cap.amount, before, after: out });
    }
    const { decimals, mode } = this.rounding;
    const rounded = roundScaled(out, f.p, decimals, mode);
    if (
      !Number.isSafeInteger(x1) ||
      !Number.isSafeInteger(v1) ||
      !Number.isSafeInteger(raw) ||
      !Number.isSafeInteger(capIn) ||
      !Number.isSafeInteger(out) ||
      !Number.isSafeInteger(rounded)
    ) {
      // hand the running values to the Decimal path, which continues the period exactly
      st.pAmount = fromScaledInteger(x0, f.a);
      st.value = fromScaledInteger(v0, f.p);
      st.periodCapIn = fromScaledInteger(st.capInU, f.p);
      st.fast = null;
      return false;
    }
    st.xU = x1;
    st.valueU = v1;
    st.capInU = capIn;
    if (this.readsYear) st.yAmount = st.yAmount.plus(amount);
    const amountText = formatScaled(rounded, decimals);
    const comp = st.active.comp;
    const creditStr = formatScaledMinimal(au!, f.a);
    const why: FastWhy | null = this.explain
      ? {
          c,
          stId: st.id,
          comp,
          table: st.table!,
          periodId: st.period!.id,
          quotaText: st.quotaText ?? null,
          x0,
          x1,
          a: f.a,
          v0,
          p: f.p,
          hits,
          out,
          creditStr,
        }
      : null;
    const l = new FastLine(
      `${this.payee.id}:commission:${comp.id}:${c.deal.id}:${c.releaseIndex}:${c.role}${c.fromPayeeId ? `:${c.fromPayeeId}` : ''}`,
      this.payee.id,
      this.months[this.monthIndex(c.date)]!.id,
      comp.id,
      c.deal.id,
      creditStr,
      amountText,
      c.date,
      rounded,
      decimals,
      this,
      why,
    );
    this.lines.push(l);
    return true;
  }

  /** The explanation of a fast-path line, rendered from the values it kept (the Decimal path's steps exactly). */
  explainFast(w: FastWhy, value: Decimal): Explained {
    const steps = this.creditTrace(w.c);
    const a0 = fromScaledInteger(w.x0, w.a);
    const a1 = fromScaledInteger(w.x1, w.a);
    const r = step(w.table, a0, a1, a0, a1, fromScaledInteger(w.v0, w.p), true);
    const tiers = r.slices.map((sl) => tierSlice(w.comp.rates.axis, w.table, sl));
    steps.push(tierTrace(w.stId, w.comp.rates, w.periodId, w.quotaText, a1, w.creditStr, r.payout, r.slices, tiers));
    for (const h of w.hits ?? [])
      steps.push(
        capStep({
          kind: h.kind,
          amount: h.amount,
          before: fromScaledInteger(h.before, w.p),
          after: fromScaledInteger(h.after, w.p),
        }),
      );
    steps.push(this.roundingStep(fromScaledInteger(w.out, w.p), value));
    return { trace: steps, tiers };
  }

  /** Another component's gate may open because of this credit: release what it held, on this deal. */
  private releaseCrossGates(c: Credit, componentId: string): void {
    for (const st of this.states.values()) {
      if (st.id === componentId || !st.gated || !st.period || c.date > st.period.end) continue;
      const refers = [
        ...st.active.comp.gates,
        ...st.active.comp.rates.tiers.flatMap((t) => (t.gate ? [t.gate] : [])),
      ].some((g) => g.on !== 'self' && (g.componentId ?? st.id) === componentId);
      if (!refers) continue;
      const { earned } = this.gatedEarned(st, c.date);
      const delta = earned.minus(st.earned);
      if (delta.isZero()) continue;
      st.earned = earned;
      const trace: TraceStep[] | null = this.explain
        ? [
            {
              step: 'gate',
              rule: 'gates.whenMet=release',
              text: `${componentId} credit from deal ${c.deal.id} opened the gate of ${st.id}: held ${s(delta)} released`,
              values: { released: s(delta) },
            },
          ]
        : null;
      const hits: CapHit[] | null = trace ? [] : null;
      const capped = this.applyCaps(st, delta, null, hits);
      const value = this.finish(capped);
      if (trace) {
        for (const h of hits!) trace.push(capStep(h));
        trace.push(this.roundingStep(capped, value));
      }
      this.push({
        id: `${this.payee.id}:gate-release:${st.id}:${c.deal.id}:${c.releaseIndex}:${c.role}`,
        kind: 'adjustment',
        componentId: st.id,
        dealId: c.deal.id,
        trace: trace ?? [],
        date: c.date,
        value,
      });
    }
  }

  private bonusesAfter(c: Credit, active: Active, amount: Decimal): void {
    for (const b of active.version.bonuses) {
      if (b.componentId !== active.comp.id) continue;
      let st = this.bonuses.get(b.id);
      if (!st) this.bonuses.set(b.id, (st = { period: null, amount: ZERO, quota: null, paid: ZERO }));
      if (!st.period || c.date > st.period.end) {
        st.period = periodContaining(c.date, b.period ?? active.comp.period, this.ctx.calendar);
        st.amount = ZERO;
        st.paid = ZERO;
        st.quota = this.quotaOf(active, st.period);
      }
      st.amount = st.amount.plus(amount);
      if (!st.quota || st.quota.isZero()) continue;
      const attainment = st.amount.dividedBy(st.quota);
      let due = ZERO;
      if (b.kind === 'milestone') {
        if (attainment.greaterThanOrEqualTo(dec(b.minAttainment!))) due = dec(b.amount!);
      } else {
        for (const stp of b.steps ?? [])
          if (attainment.greaterThanOrEqualTo(dec(stp.minAttainment))) due = dec(stp.amount);
      }
      const delta = due.minus(st.paid);
      if (delta.isZero()) continue;
      st.paid = due;
      const value = this.finish(delta);
      this.push({
        id: `${this.payee.id}:bonus:${b.id}:${st.period.id}:${c.deal.id}:${c.releaseIndex}:${c.role}`,
        kind: 'bonus',
        componentId: active.comp.id,
        dealId: c.deal.id,
        trace: this.explain
          ? [
              {
                step: 'bonus',
                rule: `bonuses.${b.id}.kind=${b.kind}`,
                text: `${b.name}: attainment ${s(attainment)} on ${active.comp.id} in ${st.period.id} reaches ${s(due)}; this deal adds ${s(delta)}`,
                values: { attainment: s(attainment), due: s(due), delta: s(delta) },
              },
            ]
          : [],
        date: c.date,
        value,
      });
    }
  }

  spifs(c: Credit, version: PlanVersion): void {
    if (c.role === 'rollup') return; // SPIFs pay the sellers on the deal, not their managers
    for (const spif of version.spifs) {
      if (spif.payout.kind === 'teamPool' || c.date < spif.from || c.date > spif.to) continue;
      if (!matchesFilter(c.deal, spif.filter)) continue;
      const shareFactor = c.role === 'split' || c.role === 'overlay' ? c.share : ONE;
      const p = spif.payout;
      let exact = ZERO;
      let how: () => string;
      if (p.kind === 'perDeal') {
        if (c.releaseIndex !== 0) continue;
        exact = shareFactor === ONE ? parsed(p.amount) : parsed(p.amount).times(shareFactor);
        how = () => `${p.amount} per deal × share ${s(shareFactor)}`;
      } else if (p.kind === 'perUnit') {
        const units = dealUnits(c.deal, spif.filter).times(c.release);
        exact = units.times(dec(p.amount)).times(shareFactor);
        how = () => `${s(units)} units × ${p.amount} × share ${s(shareFactor)}`;
      } else if (p.kind === 'percentOfRevenue') {
        const base = spif.filter.products ? productCreditAmount(c, spif.filter.products) : c.amount;
        exact = base.times(dec(p.rate));
        how = () => `${s(base)} × ${p.rate}`;
      } else {
        if (c.releaseIndex !== 0) continue;
        const n = this.spifCounts.get(spif.id) ?? 0;
        this.spifCounts.set(spif.id, n + 1);
        const tier = p.tiers.find(
          (t) => dec(n).greaterThanOrEqualTo(dec(t.from)) && (t.to === null || dec(n).lessThan(dec(t.to))),
        );
        exact = tier ? dec(tier.amount).times(shareFactor) : ZERO;
        how = () => `deal number ${n + 1} in the window pays ${tier?.amount ?? '0'} × share ${s(shareFactor)}`;
      }
      const value = this.finish(exact);
      const base = {
        id: `${this.payee.id}:spif:${spif.id}:${c.deal.id}:${c.releaseIndex}:${c.role}`,
        kind: 'spif' as const,
        componentId: spif.id,
        dealId: c.deal.id,
        credit: s(c.amount),
        date: c.date,
        value,
      };
      if (!this.explain) this.push({ ...base, trace: [] });
      else {
        this.pushExplained(base, false, () => ({
          trace: [
            ...this.creditTrace(c),
            {
              step: 'spif',
              rule: `spifs.${spif.id}.payout.kind=${p.kind}`,
              text: `${spif.name} (${spif.from} – ${spif.to}): ${how()} = ${s(exact)}`,
              values: { payout: s(exact) },
            },
            this.roundingStep(exact, value),
          ],
          tiers: [],
        }));
      }
    }
  }

  /** Team-pool SPIFs of the payee's plan that end in this year: the payee's share of the pool (allocate keeps the pool whole). */
  teamPools(): void {
    const yearStart = this.months[0]!.start;
    const yearEnd = this.months[11]!.end;
    const seen = new Set<string>();
    for (const plan of this.ctx.plans) {
      for (const v of plan.versions) {
        for (const spif of v.spifs) {
          if (
            spif.payout.kind !== 'teamPool' ||
            spif.to < yearStart ||
            spif.to > yearEnd ||
            seen.has(`${plan.id}\u0000${spif.id}`)
          )
            continue;
          if (this.ctx.planFor(this.payee.id, spif.to) !== plan || versionAt(plan, spif.to) !== v) continue;
          seen.add(`${plan.id}\u0000${spif.id}`);
          const shares = poolShares(this.ctx, plan, spif);
          const share = shares.get(this.payee.id);
          if (!share || share.isZero()) continue;
          const value = this.finish(share);
          this.push({
            id: `${this.payee.id}:spif:${spif.id}:pool`,
            kind: 'spif',
            componentId: spif.id,
            trace: this.explain
              ? [
                  {
                    step: 'spif',
                    rule: `spifs.${spif.id}.payout.kind=teamPool`,
                    text: `${spif.name}: share of the ${spif.payout.amount} pool by qualifying credit = ${s(share)}`,
                    values: { pool: spif.payout.amount, share: s(share) },
                  },
                ]
              : [],
            date: spif.to,
            value,
          });
        }
      }
    }
  }

  /** Manager overrides: a rate on the team's credited revenue or commission earnings, above a threshold. */
  overrides(): void {
    const reportsAll = this.ctx.reports.get(this.payee.id);
    if (!reportsAll || reportsAll.length === 0) return;
    const yearStart = this.months[0]!.start;
    const yearEnd = this.months[11]!.end;
    const plan = this.ctx.planFor(this.payee.id, yearStart) ?? this.ctx.planFor(this.payee.id, yearEnd);
    if (!plan || !plan.versions.some((v) => v.overrides.length > 0)) return;
    const direct = reportsAll;
    const tree = subtree(this.ctx, this.payee.id);
    type Ev = { date: string; dealId: string; key: string; revenue: Decimal; earnings: Decimal; from: string };
    const build = (members: readonly string[], withEarnings: boolean): Ev[] => {
      const evs: Ev[] = [];
      for (const m of members) {
        for (const c of this.ctx.credits.get(m) ?? []) {
          if (c.role === 'rollup' || c.date < yearStart || c.date > yearEnd) continue;
          evs.push({
            date: c.date,
            dealId: c.deal.id,
            key: `${c.deal.id}:${c.releaseIndex}:${c.role}:${m}`,
            revenue: c.amount,
            earnings: ZERO,
            from: m,
          });
        }
        if (withEarnings) {
          for (const l of calculatePartition(this.ctx, m, this.year).lines) {
            if (l.kind === 'commission' || (l.kind === 'adjustment' && l.componentId))
              evs.push({
                date: l.date,
                dealId: l.dealId ?? '',
                key: `${l.id}`,
                revenue: ZERO,
                earnings: l.value,
                from: m,
              });
          }
        }
      }
      return evs.sort((a, b) =>
        a.date < b.date ? -1 : a.date > b.date ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
      );
    };
    const versions = plan.versions;
    const all = new Map<string, Ev[]>();
    for (const v of versions) {
      for (const o of v.overrides) {
        const members = o.depth === 'all' ? tree : direct;
        const cacheKey = `${o.depth}:${o.basis}`;
        let evs = all.get(cacheKey);
        if (!evs) all.set(cacheKey, (evs = build(members, o.basis === 'teamEarnings')));
        let period: Period | null = null;
        let revenue = ZERO;
        let basis = ZERO;
        let paid = ZERO;
        let teamQuota: Decimal | null = null;
        for (const e of evs) {
          const vAt = versionAt(plan, e.date);
          if (vAt !== v || this.ctx.planFor(this.payee.id, e.date) !== plan) continue;
          if (!period || e.date > period.end) {
            period = periodContaining(e.date, o.period, this.ctx.calendar);
            revenue = ZERO;
            basis = ZERO;
            paid = ZERO;
            teamQuota = o.minTeamAttainment === undefined ? null : this.teamQuota(members, period);
          }
          revenue = revenue.plus(e.revenue);
          basis = basis.plus(o.basis === 'teamRevenue' ? e.revenue : e.earnings);
          const open =
            o.minTeamAttainment === undefined ||
            (teamQuota !== null &&
              !teamQuota.isZero() &&
              revenue.dividedBy(teamQuota).greaterThanOrEqualTo(dec(o.minTeamAttainment)));
          const above = o.aboveAmount === undefined ? basis : Decimal.max(basis.minus(dec(o.aboveAmount)), ZERO);
          const due = open ? above.times(dec(o.rate)) : ZERO;
          const delta = due.minus(paid);
          if (delta.isZero()) continue;
          paid = due;
          const value = this.finish(delta);
          this.push({
            id: `${this.payee.id}:override:${o.id}:${e.key}`,
            kind: 'override',
            componentId: o.id,
            dealId: e.dealId || undefined,
            trace: this.explain
              ? [
                  {
                    step: 'override',
                    rule: `overrides.${o.id}.basis=${o.basis}`,
                    text: `${o.name}: team ${o.basis === 'teamRevenue' ? 'revenue' : 'earnings'} ${s(basis)} in ${period.id}${o.aboveAmount ? ` above ${o.aboveAmount}` : ''} × ${o.rate}${o.minTeamAttainment ? ` (team attainment ≥ ${o.minTeamAttainment} ${open ? 'met' : 'not met'})` : ''} = ${s(due)}; from ${e.from}`,
                    values: { basis: s(basis), due: s(due) },
                  },
                  this.roundingStep(delta, value),
                ]
              : [],
            date: e.date,
            value,
          });
        }
      }
    }
  }

  private teamQuota(members: readonly string[], period: Period): Decimal | null {
    let total = ZERO;
    let any = false;
    for (const m of members) {
      const payee = this.ctx.payees.get(m);
      const plan = this.ctx.planFor(m, period.start);
      if (!payee || !plan) continue;
      const v = versionAt(plan, period.start);
      const comp = v.components.find((c) => c.id === primaryId(v))!;
      const q = this.ctx.quotas.quotaFor(payee, comp, true, period);
      if (q) {
        total = total.plus(q);
        any = true;
      }
    }
    return any ? total : null;
  }

  /** Cancelled deals: a share of what the deal paid (at its original rate), by months since close. */
  clawbacks(): void {
    const yearStart = this.months[0]!.start;
    const yearEnd = this.months[11]!.end;
    const asOf = this.ctx.asOf;
    const done = new Set<string>();
    for (const c of this.ctx.credits.get(this.payee.id) ?? []) {
      const cancelled = c.deal.cancelledDate;
      if (
        !cancelled ||
        cancelled < yearStart ||
        cancelled > yearEnd ||
        (asOf !== undefined && cancelled > asOf) ||
        done.has(c.deal.id)
      )
        continue;
      const plan = this.ctx.planFor(this.payee.id, cancelled);
      const rule = plan ? versionAt(plan, cancelled).clawback : undefined;
      if (!rule || !c.deal.closeDate || cancelled < c.deal.closeDate) continue;
      done.add(c.deal.id);
      const kinds = new Set<PayoutLineKind>(rule.appliesTo);
      let original = ZERO;
      for (let y = Math.min(fiscalYearOf(c.deal.closeDate, this.ctx.calendar), this.year); y <= this.year; y++) {
        const lines = y === this.year ? this.lines : calculatePartition(this.ctx, this.payee.id, y).lines;
        for (const l of lines)
          if (l.dealId === c.deal.id && kinds.has(l.kind) && l.date <= cancelled) original = original.plus(l.value);
      }
      const months = monthsBetween(c.deal.closeDate, cancelled);
      const row = rule.schedule ? rule.schedule.find((r) => months < r.monthsSinceCloseBelow) : undefined;
      const percent = rule.schedule ? (row ? dec(row.percent) : ZERO) : dec(rule.percent);
      const exact = original.times(percent).negated();
      if (exact.isZero()) continue;
      const value = this.finish(exact);
      this.push({
        id: `${this.payee.id}:clawback:${c.deal.id}`,
        kind: 'clawback',
        dealId: c.deal.id,
        trace: this.explain
          ? [
              {
                step: 'clawback',
                rule: `clawback.method=${rule.method}${rule.schedule ? '; clawback.schedule' : '; clawback.percent'}`,
                text: `deal ${c.deal.id} cancelled ${cancelled}, ${months} months after close: ${s(percent.times(100))} % of the ${s(original)} it paid`,
                values: { original: s(original), percent: s(percent), monthsSinceClose: String(months) },
              },
              this.roundingStep(exact, value),
            ]
          : [],
        date: cancelled,
        value,
      });
    }
  }

  /** Draws: top up to the guarantee; a recoverable draw's top-ups are recovered from later earnings above it. */
  draws(): void {
    const firstPlan =
      this.ctx.planFor(this.payee.id, this.months[0]!.start) ?? this.ctx.planFor(this.payee.id, this.months[11]!.end);
    if (!firstPlan || !firstPlan.versions.some((v) => v.draw)) return;
    let balance = ZERO;
    const kinds = new Set<PeriodKind>(firstPlan.versions.flatMap((v) => (v.draw ? [v.draw.period] : [])));
    for (const kind of kinds) {
      for (const p of periodsOfYear(this.year, kind, this.ctx.calendar)) {
        const plan = this.ctx.planFor(this.payee.id, p.start);
        const draw = plan ? versionAt(plan, p.start).draw : undefined;
        if (!plan || !draw || draw.period !== kind) continue;
        if (draw.fromPeriod && p.end < parsePeriodId(draw.fromPeriod, this.ctx.calendar).start) continue;
        if (draw.untilPeriod && p.start > parsePeriodId(draw.untilPeriod, this.ctx.calendar).end) continue;
        if (this.payee.startDate && p.end < this.payee.startDate) continue;
        if (this.payee.endDate && p.start > this.payee.endDate) continue;
        let amount = dec(draw.amount);
        if (draw.ramp && this.payee.startDate) {
          const tenure = Math.ceil((monthsBetweenStarts(this.payee.startDate, p.start) + 1) / MONTHS[kind]);
          amount = tenure >= 1 && tenure <= draw.ramp.length ? dec(draw.ramp[tenure - 1]!) : amount;
        }
        let earned = ZERO;
        for (const l of this.lines)
          if (l.date >= p.start && l.date <= p.end && l.kind !== 'draw' && l.kind !== 'draw-recovery')
            earned = earned.plus(l.value);
        const rules = `draw.kind=${draw.kind}`;
        if (earned.lessThan(amount)) {
          const topUp = this.finish(amount.minus(earned));
          if (draw.kind === 'recoverable') balance = balance.plus(topUp);
          this.push({
            id: `${this.payee.id}:draw:${p.id}`,
            kind: 'draw',
            trace: this.explain
              ? [
                  {
                    step: 'draw',
                    rule: rules,
                    text: `earned ${s(earned)} in ${p.id}, below the ${s(amount)} draw: topped up by ${s(topUp)}${draw.kind === 'recoverable' ? `; balance to recover ${s(balance)}` : ' (not recovered)'}`,
                    values: { earned: s(earned), draw: s(amount), topUp: s(topUp), balance: s(balance) },
                  },
                ]
              : [],
            date: p.end,
            value: topUp,
          });
        } else if (draw.kind === 'recoverable' && balance.greaterThan(0)) {
          if (draw.recoveryStartPeriod && p.start < parsePeriodId(draw.recoveryStartPeriod, this.ctx.calendar).start)
            continue;
          let recover = Decimal.min(balance, earned.minus(amount));
          if (draw.recoveryCap) recover = Decimal.min(recover, earned.times(dec(draw.recoveryCap)));
          recover = this.finish(recover);
          if (recover.isZero()) continue;
          balance = balance.minus(recover);
          this.push({
            id: `${this.payee.id}:draw-recovery:${p.id}`,
            kind: 'draw-recovery',
            trace: this.explain
              ? [
                  {
                    step: 'draw',
                    rule: `${rules}${draw.recoveryCap ? '; draw.recoveryCap' : ''}${draw.recoveryStartPeriod ? '; draw.recoveryStartPeriod' : ''}`,
                    text: `earned ${s(earned)} in ${p.id} above the ${s(amount)} draw: ${s(recover)} of the draw balance recovered; ${s(balance)} left`,
                    values: { earned: s(earned), recovered: s(recover), balance: s(balance) },
                  },
                ]
              : [],
            date: p.end,
            value: recover.negated(),
          });
        }
      }
    }
  }
}

function monthsBetweenStarts(a: string, b: string): number {
  const x = parseDate(a);
  const y = parseDate(b);
  return (y.year - x.year) * 12 + (y.month - x.month);
}

/** Whole months from a to b (a day-of-month not yet reached does not count). */
export function monthsBetween(a: string, b: string): number {
  const x = parseDate(a);
  const y = parseDate(b);
  return (y.year - x.year) * 12 + (y.month - x.month) - (y.day < x.day ? 1 : 0);
}

function subtree(ctx: EngineContext, managerId: string): string[] {
  const out: string[] = [];
  const stack = [...(ctx.reports.get(managerId) ?? [])];
  const seen = new Set<string>([managerId]);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    stack.push(...(ctx.reports.get(id) ?? []));
  }
  return out.sort();
}

/** The pool split by qualifying direct credit among the team's payees on the plan (allocate: shares add up to the pool). */
function poolShares(ctx: EngineContext, plan: Plan, spif: Spif): Map<string, Decimal> {
  const key = `${plan.id}\u0000${spif.id}`;
  const cached = ctx.pools.get(key);
  if (cached) return cached;
  const payout = spif.payout as Extract<Spif['payout'], { kind: 'teamPool' }>;
  const members = ctx.data.payees
    .filter((p) => (payout.teamId === undefined || p.teamId === payout.teamId) && ctx.planFor(p.id, spif.to) === plan)
    .map((p) => p.id);
  const weights = members.map((m) => {
    let total = ZERO;
    for (const c of ctx.credits.get(m) ?? []) {
      if (c.role === 'rollup' || c.date < spif.from || c.date > spif.to || !matchesFilter(c.deal, spif.filter))
        continue;
      total = total.plus(spif.filter.products ? productCreditAmount(c, spif.filter.products) : c.amount);
    }
    return Decimal.max(total, ZERO);
  });
  const shares = new Map<string, Decimal>();
  if (weights.some((w) => !w.isZero())) {
    const parts = allocate(dec(payout.amount), weights, plan.rounding.decimals);
    members.forEach((m, i) => shares.set(m, parts[i]!));
  }
  ctx.pools.set(key, shares);
  return shares;
}

/**
 * Calculates one (payee, fiscal year) partition: every line the payee earned that year, in date order.
 * Depends only on the payee's credits, quotas and plan, the reports' credits (roll-ups and overrides),
 * earlier years of the same payee (lifetime caps, clawbacks) and team pools — exactly what
 * `touchedPartitions` lists — so recomputing touched partitions equals recomputing everything.
 */
export function calculatePartition(ctx: EngineContext, payeeId: string, fiscalYear: number): Partition {
  const key = `${payeeId}\u0000${fiscalYear}`;
  const memo = ctx.partitions.get(key);
  if (memo) return memo;
  const payee = ctx.payees.get(payeeId);
  if (!payee) throw new Error(`[Attain] unknown payee id "${payeeId}"`);
  const years = ctx.creditYears.get(payeeId) ?? [];
  const needsHistory = ctx.plans.some((p) =>
    p.versions.some((v) => v.components.some((c) => c.caps.some((cap) => cap.kind === 'perCustomer'))),
  );
  const earlier = needsHistory ? years.filter((y) => y < fiscalYear) : [];
  const opening =
    earlier.length > 0
      ? calculatePartition(ctx, payeeId, earlier[earlier.length - 1]!).customerTotals
      : new Map<string, Decimal>();

  const b = new PartitionBuilder(ctx, payee, fiscalYear, opening);
  const yearPeriod = parsePeriodId(String(fiscalYear).padStart(4, '0'), ctx.calendar);
  const credits = ctx.credits.get(payeeId) ?? [];
  let hasPlan = false;
  for (const c of credits) {
    if (c.date < yearPeriod.start || c.date > yearPeriod.end) continue;
    const plan = ctx.planFor(payeeId, c.date);
    if (!plan) continue;
    hasPlan = true;
    const version = versionOn(plan, c.date);
    if (!version) {
      addWarning(ctx, {
        code: 'close-date-outside-periods',
        message: `deal "${c.deal.id}" is credited ${c.date}, before plan "${plan.id}" takes effect; it earns nothing`,
        dealId: c.deal.id,
        payeeId,
      });
      continue;
    }
    for (const active of b.activeFor(c.date)) b.commission(c, active);
    b.spifs(c, version);
  }
  if (!hasPlan && !ctx.planFor(payeeId, yearPeriod.start) && !ctx.planFor(payeeId, yearPeriod.end)) {
    addWarning(ctx, {
      code: 'payee-without-plan',
      message: `payee "${payeeId}" has no plan in ${fiscalYear} and earns nothing`,
      payeeId,
    });
  }
  b.teamPools();
  b.overrides();
  b.clawbacks();
  b.draws();
  b.settleCredited();
  b.lines.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  const partition: Partition = {
    payeeId,
    fiscalYear,
    lines: b.lines,
    credited: b.credited,
    customerTotals: b.customerTotals,
  };
  ctx.partitions.set(key, partition);
  return partition;
}

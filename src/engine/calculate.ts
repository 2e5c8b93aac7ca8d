import { Decimal, ZERO, ratio, round, toDecimalString } from '../money/decimal.js';
import { fromScaledInteger } from '../money/scaled.js';
import { versionAt } from '../credit/credit.js';
import { parsePeriodId, type Period } from '../time/calendar.js';
import {
  addWarning,
  defineTiers,
  defineTrace,
  explainerOf,
  prepare,
  shareExplanation,
  type EngineContext,
  type EngineInput,
  type EngineLine,
} from './context.js';
import { calculatePartition } from './partition.js';
import type { CalculationResult, ComponentResult, PayeePeriodResult, PayoutLine, TeamTotals } from './types.js';

const s = (d: Decimal) => toDecimalString(d);

function publicLine(l: EngineLine, periodId: string): PayoutLine {
  const explained = explainerOf(l);
  if (explained) {
    // the same keys in the same order as below; trace and tiers stay unrendered until read
    const out = { id: l.id, payeeId: l.payeeId, periodId, kind: l.kind, amount: l.amount } as PayoutLine;
    shareExplanation(out, explained);
    defineTrace(out);
    out.date = l.date;
    if (l.componentId !== undefined) out.componentId = l.componentId;
    if (l.dealId !== undefined) out.dealId = l.dealId;
    if (l.credit !== undefined) out.credit = l.credit;
    if (l.kind === 'commission') defineTiers(out);
    return out;
  }
  const out: PayoutLine = {
    id: l.id,
    payeeId: l.payeeId,
    periodId,
    kind: l.kind,
    amount: l.amount,
    trace: l.trace,
    date: l.date,
  };
  if (l.componentId !== undefined) out.componentId = l.componentId;
  if (l.dealId !== undefined) out.dealId = l.dealId;
  if (l.credit !== undefined) out.credit = l.credit;
  if (l.tiers !== undefined) out.tiers = l.tiers;
  return out;
}

function monthRange(period: Period, yearStart: Period): [number, number] {
  const startIndex = monthIndex(period.start, yearStart.start);
  const endIndex = monthIndex(period.end, yearStart.start);
  return [startIndex, endIndex];
}

function monthIndex(date: string, yearStart: string): number {
  const y = Number(date.slice(0, 4)) - Number(yearStart.slice(0, 4));
  return y * 12 + Number(date.slice(5, 7)) - Number(yearStart.slice(5, 7));
}

/** One payee's statement for a period, assembled from the (payee, fiscal year) partition. */
export function payeePeriodResult(ctx: EngineContext, payeeId: string, periodId: string): PayeePeriodResult {
  const period = parsePeriodId(periodId, ctx.calendar);
  const payee = ctx.payees.get(payeeId);
  if (!payee) throw new Error(`[Attain] unknown payee id "${payeeId}"`);
  const partition = calculatePartition(ctx, payeeId, period.fiscalYear);
  const year = parsePeriodId(String(period.fiscalYear).padStart(4, '0'), ctx.calendar);
  const plan = ctx.planFor(payeeId, period.start) ?? ctx.planFor(payeeId, period.end);
  const currency = plan?.currency ?? ctx.plans[0]!.currency;

  const lines: PayoutLine[] = [];
  let exactTotal = ZERO;
  let earnedToDate = ZERO;
  const byComponent = new Map<string, Decimal>();
  let earnedBefore = ZERO;
  // fast-path lines carry their value as an integer (all at one scale within a partition): add those as
  // integers and the rest as Decimals, and fall back to Decimals alone if an integer sum would not be exact
  const sums = { before: 0, total: 0, scale: -1, byComponent: new Map<string, number>() };
  let integers = true;
  for (const l of partition.lines) {
    if (l.date > period.end) break;
    const minor = l.minor;
    const asInteger = integers && minor !== undefined && (sums.scale === -1 || sums.scale === l.minorScale);
    if (asInteger) sums.scale = l.minorScale!;
    if (l.date < period.start) {
      if (asInteger) {
        sums.before += minor;
        if (!Number.isSafeInteger(sums.before)) integers = false;
      } else earnedBefore = earnedBefore.plus(l.value);
      continue;
    }
    lines.push(publicLine(l, periodId));
    if (asInteger) {
      sums.total += minor;
      if (l.componentId !== undefined)
        sums.byComponent.set(l.componentId, (sums.byComponent.get(l.componentId) ?? 0) + minor);
      if (!Number.isSafeInteger(sums.total)) integers = false;
      continue;
    }
    exactTotal = exactTotal.plus(l.value);
    if (l.componentId !== undefined)
      byComponent.set(l.componentId, (byComponent.get(l.componentId) ?? ZERO).plus(l.value));
  }
  if (!integers) {
    // rare (totals beyond 2^53 minor units): redo the sums in Decimals
    exactTotal = ZERO;
    earnedBefore = ZERO;
    byComponent.clear();
    for (const l of partition.lines) {
      if (l.date > period.end) break;
      if (l.date < period.start) earnedBefore = earnedBefore.plus(l.value);
      else {
        exactTotal = exactTotal.plus(l.value);
        if (l.componentId !== undefined)
          byComponent.set(l.componentId, (byComponent.get(l.componentId) ?? ZERO).plus(l.value));
      }
    }
  } else if (sums.scale !== -1) {
    earnedBefore = earnedBefore.plus(fromScaledInteger(sums.before, sums.scale));
    exactTotal = exactTotal.plus(fromScaledInteger(sums.total, sums.scale));
    for (const [id, v] of sums.byComponent)
      byComponent.set(id, (byComponent.get(id) ?? ZERO).plus(fromScaledInteger(v, sums.scale)));
  }
  earnedToDate = earnedBefore.plus(exactTotal);
  let earnings = exactTotal;
  if (plan && plan.rounding.scope === 'statement') {
    const { decimals, mode } = plan.rounding;
    earnings = round(exactTotal, decimals, mode);
    earnedToDate = round(earnedToDate, decimals, mode);
    const diff = earnings.minus(exactTotal);
    if (!diff.isZero()) {
      lines.push({
        id: `${payeeId}:rounding:${periodId}`,
        payeeId,
        periodId,
        kind: 'adjustment',
        amount: s(diff),
        date: period.end,
        trace: [
          {
            step: 'rounding',
            rule: `rounding.scope=statement; rounding.decimals=${decimals}; rounding.mode=${mode}`,
            text: `statement total ${s(exactTotal)} rounded to ${s(earnings)}`,
            values: { exact: s(exactTotal), rounded: s(earnings) },
          },
        ],
      });
    }
  }

  const components: ComponentResult[] = [];
  let primary: ComponentResult | undefined;
  if (plan) {
    const v = versionAt(plan, period.start);
    const [from, to] = monthRange(period, year);
    for (const comp of v.components) {
      const isPrimary = (v.primaryComponentId ?? v.components[0]!.id) === comp.id;
      const quota = ctx.quotas.quotaFor(payee, comp, isPrimary, period);
      const monthly = partition.credited.get(comp.id);
      let credited = ZERO;
      if (monthly) for (let i = from; i <= to; i++) credited = credited.plus(monthly[i] ?? ZERO);
      // attainment is shown for the primary measure: without a quota it cannot be, once there is credit to measure
      if (quota === null && isPrimary && !credited.isZero()) {
        addWarning(ctx, {
          code: 'missing-quota',
          message: `no quota for "${payeeId}" on component "${comp.id}" in ${periodId}; attainment is reported as 0`,
          payeeId,
          periodId,
        });
      }
      const result: ComponentResult = {
        componentId: comp.id,
        name: comp.name,
        quota: s(quota ?? ZERO),
        credited: s(credited),
        attainment: s(ratio(credited, quota ?? ZERO)),
        earnings: toDecimalString(
          byComponent.get(comp.id) ?? ZERO,
          plan.rounding.scope === 'line' ? plan.rounding.decimals : undefined,
        ),
      };
      components.push(result);
      if (isPrimary) primary = result;
    }
  }

  let paidToDate = ZERO;
  for (const p of ctx.payments.get(payeeId) ?? []) {
    const pp = parsePeriodId(p.periodId, ctx.calendar);
    if (pp.fiscalYear === period.fiscalYear && pp.end <= period.end)
      paidToDate = paidToDate.plus(new Decimal(p.amount));
  }
  const payable = earnedToDate.minus(paidToDate);
  const decimals = plan?.rounding.decimals ?? 2;
  const m = (d: Decimal) =>
    toDecimalString(
      d,
      plan?.rounding.scope === 'statement' || !plan ? decimals : Math.max(decimals, d.decimalPlaces()),
    );
  return {
    payeeId,
    name: payee.name,
    periodId,
    planId: plan?.id ?? null,
    planVersion: plan ? versionAt(plan, period.start).id : null,
    currency,
    quota: primary?.quota ?? '0',
    credited: primary?.credited ?? '0',
    attainment: primary?.attainment ?? '0',
    earnings: m(earnings),
    components,
    lines,
    earnedToDate: m(earnedToDate),
    paidToDate: m(paidToDate),
    payable: m(payable),
    priorPeriodsDelta: m(payable.minus(earnings)),
  };
}

/**
 * Team totals: sum credited ÷ sum quota over individual contributors (payees nobody reports to), so a
 * manager's roll-up credit is never counted twice; earnings add up every payee in the result currency.
 */
export function teamTotals(ctx: EngineContext, payees: readonly PayeePeriodResult[], currency: string): TeamTotals {
  let quota = ZERO;
  let credited = ZERO;
  let earnings = ZERO;
  for (const p of payees) {
    if (p.currency !== currency) continue;
    earnings = earnings.plus(new Decimal(p.earnings));
    if (ctx.reports.has(p.payeeId)) continue;
    quota = quota.plus(new Decimal(p.quota));
    credited = credited.plus(new Decimal(p.credited));
  }
  const decimals = ctx.plans[0]!.rounding.decimals;
  return {
    quota: s(quota),
    credited: s(credited),
    attainment: s(ratio(credited, quota)),
    earnings: toDecimalString(earnings, Math.max(decimals, earnings.decimalPlaces())),
  };
}

/** Calculates every payee's statement for `input.periodId`, with team totals and data-quality warnings. */
export function calculate(input: EngineInput): CalculationResult {
  const ctx = prepare(input);
  return calculateWith(ctx, input.periodId);
}

export function calculateWith(ctx: EngineContext, periodId: string): CalculationResult {
  parsePeriodId(periodId, ctx.calendar);
  const payees = ctx.data.payees.map((p) => payeePeriodResult(ctx, p.id, periodId));
  const currency = ctx.plans[0]!.currency;
  return { period: periodId, currency, payees, team: teamTotals(ctx, payees, currency), warnings: [...ctx.warnings] };
}

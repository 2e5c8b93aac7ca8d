import { Decimal, ZERO, toDecimalString, type DecimalString } from '../money/decimal.js';
import type { DataSet, Deal } from '../data/schema.js';
import { creditDeal, type CreditContext } from '../credit/credit.js';
import { fiscalYearOf, parsePeriodId, periodContaining } from '../time/calendar.js';
import { prepare, type EngineContext, type EngineInput } from './context.js';
import { payeePeriodResult } from './calculate.js';
import type { DataWarning, DealEstimate, DealEstimatePayee, TierSlice } from './types.js';

export interface PartitionKey {
  payeeId: string;
  fiscalYear: number;
}

function ancestors(ctx: EngineContext, payeeId: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([payeeId]);
  let m = ctx.payees.get(payeeId)?.managerId ?? null;
  while (m && !seen.has(m)) {
    seen.add(m);
    out.push(m);
    m = ctx.payees.get(m)?.managerId ?? null;
  }
  return out;
}

/**
 * The partitions a deal change touches: every payee either version of the deal credits (owner, split and
 * overlay payees, roll-up managers), every manager above them (overrides), the team of any team-pool SPIF,
 * in the fiscal years of the credit and cancellation dates — and later years when lifetime customer caps or
 * clawbacks carry history forward. Recompute exactly these and the result equals a full recalculation.
 */
export function touchedPartitions(ctx: EngineContext, before: Deal | null, after: Deal | null): PartitionKey[] {
  const creditCtx: CreditContext = { payees: ctx.payees, planFor: ctx.planFor, fx: ctx.fx };
  const payees = new Set<string>();
  const years = new Set<number>();
  for (const d of [before, after]) {
    if (!d) continue;
    for (const c of creditDeal(d, creditCtx, [])) {
      payees.add(c.payeeId);
      years.add(fiscalYearOf(c.date, ctx.calendar));
    }
    if (d.status === 'won' && d.ownerId) payees.add(d.ownerId);
    for (const sp of d.splits ?? []) payees.add(sp.payeeId);
    if (d.closeDate) years.add(fiscalYearOf(d.closeDate, ctx.calendar));
    if (d.cancelledDate) years.add(fiscalYearOf(d.cancelledDate, ctx.calendar));
  }
  for (const p of [...payees]) for (const a of ancestors(ctx, p)) payees.add(a);
  const plans = ctx.plans;
  const pools = plans.flatMap((p) => p.versions.flatMap((v) => v.spifs.filter((sp) => sp.payout.kind === 'teamPool')));
  if (pools.length > 0) {
    const teams = new Set(pools.map((sp) => (sp.payout.kind === 'teamPool' ? sp.payout.teamId : undefined)));
    for (const p of ctx.data.payees) if (teams.has(undefined) || (p.teamId && teams.has(p.teamId))) payees.add(p.id);
    for (const sp of pools) years.add(fiscalYearOf(sp.to, ctx.calendar));
  }
  const carriesForward = plans.some((p) =>
    p.versions.some(
      (v) => v.clawback !== undefined || v.components.some((c) => c.caps.some((cap) => cap.kind === 'perCustomer')),
    ),
  );
  if (carriesForward && years.size > 0) {
    let last = Math.max(...years);
    for (const ys of ctx.creditYears.values()) for (const y of ys) last = Math.max(last, y);
    for (const d of ctx.data.deals)
      if (d.cancelledDate) last = Math.max(last, fiscalYearOf(d.cancelledDate, ctx.calendar));
    for (let y = Math.min(...years); y <= last; y++) years.add(y);
  }
  const out: PartitionKey[] = [];
  for (const payeeId of [...payees].filter((id) => ctx.payees.has(id)).sort())
    for (const fiscalYear of [...years].sort()) out.push({ payeeId, fiscalYear });
  return out;
}

function descendants(ctx: EngineContext, managerId: string): string[] {
  const out = new Set<string>();
  const stack = [...(ctx.reports.get(managerId) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (out.has(id) || id === managerId) continue;
    out.add(id);
    stack.push(...(ctx.reports.get(id) ?? []));
  }
  return [...out];
}

function withDeal(data: DataSet, deal: Deal): DataSet {
  return { ...data, deals: [...data.deals.filter((d) => d.id !== deal.id), deal] };
}

/**
 * "What this deal pays me": for every payee the deal credits, the period's earnings with the deal won
 * (optionally at a what-if amount and close date) minus the earnings without it, with the tier slices the
 * deal lands in, attainment before → after, and every line that differs (SPIFs, bonuses crossed, caps hit).
 */
export function estimate(
  input: EngineInput,
  dealId: string,
  whatIf?: { amount?: DecimalString; closeDate?: string },
): DealEstimate {
  const deal = [...input.data.deals].reverse().find((d) => d.id === dealId);
  if (!deal) throw new Error(`[Attain] unknown deal id "${dealId}"`);
  const closeDate = whatIf?.closeDate ?? deal.closeDate ?? input.asOf;
  if (!closeDate) throw new Error(`[Attain] deal "${dealId}" has no close date: pass whatIf.closeDate or asOf`);
  const won: Deal = { ...deal, status: 'won', closeDate, amount: whatIf?.amount ?? deal.amount };
  const lost: Deal = { ...deal, status: 'lost' };
  // Only the deals that feed the touched partitions matter: those of the touched payees and everyone below them.
  const full = prepare({ ...input, data: { ...input.data, deals: [] } });
  const relevant = new Set<string>();
  for (const k of touchedPartitions(full, deal, won)) {
    relevant.add(k.payeeId);
    for (const id of descendants(full, k.payeeId)) relevant.add(id);
  }
  const deals = input.data.deals.filter(
    (d) => (d.ownerId !== null && relevant.has(d.ownerId)) || (d.splits ?? []).some((sp) => relevant.has(sp.payeeId)),
  );
  const narrowed = { ...input.data, deals };
  const ctxWith = prepare({ ...input, data: withDeal(narrowed, won) });
  const ctxWithout = prepare({ ...input, data: withDeal(narrowed, lost) });
  const kind = parsePeriodId(input.periodId, ctxWith.calendar).kind;
  const periodId = periodContaining(closeDate, kind, ctxWith.calendar).id;
  const warnings: DataWarning[] = [];
  const credits = creditDeal(won, { payees: ctxWith.payees, planFor: ctxWith.planFor, fx: ctxWith.fx }, warnings);
  const creditBy = new Map<string, Decimal>();
  for (const c of credits) creditBy.set(c.payeeId, (creditBy.get(c.payeeId) ?? ZERO).plus(c.amount));

  const payees: DealEstimatePayee[] = [];
  for (const [payeeId, credit] of creditBy) {
    const after = payeePeriodResult(ctxWith, payeeId, periodId);
    const before = payeePeriodResult(ctxWithout, payeeId, periodId);
    const beforeAmounts = new Map(before.lines.map((l) => [l.id, l.amount]));
    const tiers: TierSlice[] = after.lines
      .filter((l) => l.dealId === dealId && l.kind === 'commission')
      .flatMap((l) => l.tiers ?? []);
    payees.push({
      payeeId,
      name: after.name,
      periodId,
      currency: after.currency,
      credit: toDecimalString(credit),
      commission: toDecimalString(
        new Decimal(after.earnings).minus(new Decimal(before.earnings)),
        Math.max(2, new Decimal(after.earnings).decimalPlaces()),
      ),
      before: { credited: before.credited, attainment: before.attainment, earnings: before.earnings },
      after: { credited: after.credited, attainment: after.attainment, earnings: after.earnings },
      tiers,
      lines: after.lines.filter((l) => beforeAmounts.get(l.id) !== l.amount),
    });
  }
  const seen = new Set<string>();
  const allWarnings = [...ctxWith.warnings, ...warnings].filter((w) => {
    const key = `${w.code}|${w.dealId ?? ''}|${w.payeeId ?? ''}|${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const echo = whatIf
    ? {
        ...(whatIf.amount !== undefined ? { amount: whatIf.amount } : {}),
        ...(whatIf.closeDate !== undefined ? { closeDate: whatIf.closeDate } : {}),
      }
    : null;
  return { dealId, status: deal.status, whatIf: echo, periodId, payees, warnings: allWarnings };
}

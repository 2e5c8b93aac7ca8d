/**
 * Engine results → card view models. Pure: no store, no clock (the caller passes "now"). Nothing here computes
 * pay; it selects what the viewer may see, names the status and formats for the locale.
 */
import { Decimal, dec, ratio, sum, toDecimalString, type DecimalString } from '../../../src/money/decimal.js';
import type { DealEstimate, DealEstimatePayee, PayeePeriodResult, PayoutLine } from '../../../src/engine/types.js';
import { ago, money, percent } from './format.js';
import { messages } from './messages.js';
import type { ContactCardView, DealCardView, DealPayeeView, Locale, QuotaProgressView, TeamView } from './schemas.js';

export type SettlementStatus = 'earned' | 'paid' | 'clawback-window';

export function freshness(calculatedAt: Date | null, now: Date, locale: Locale): DealCardView['freshness'] {
  const m = messages(locale);
  return calculatedAt
    ? { calculatedAt: calculatedAt.toISOString(), formatted: m.calculated(ago(calculatedAt, now, locale)) }
    : { calculatedAt: null, formatted: m.notCalculated };
}

function why(lines: PayoutLine[]): DealPayeeView['why'] {
  return lines.flatMap((l) => l.trace.map((t) => ({ step: t.step, rule: t.rule ?? null, text: t.text })));
}

function payeeView(
  p: DealEstimatePayee,
  status: DealPayeeView['status'],
  viewerPayeeId: string | null,
  locale: Locale,
): DealPayeeView {
  const m = messages(locale);
  const cur = p.currency;
  const last = p.tiers.at(-1);
  return {
    payeeId: p.payeeId,
    name: p.name,
    isViewer: p.payeeId === viewerPayeeId,
    periodId: p.periodId,
    credit: money(p.credit, cur, locale),
    commission: money(p.commission, cur, locale),
    status,
    statusText: m.status[status],
    attainmentBefore: percent(p.before.attainment, locale),
    attainmentAfter: percent(p.after.attainment, locale),
    earningsBefore: money(p.before.earnings, cur, locale),
    earningsAfter: money(p.after.earnings, cur, locale),
    landsInTier: last ? last.label : null,
    tiers: p.tiers.map((t) => ({
      label: t.label,
      credit: money(t.creditInTier, cur, locale),
      rate: percent(t.rate, locale),
      multiplier: t.multiplier,
      payout: money(t.payout, cur, locale),
    })),
    accelerators: p.tiers
      .filter((t) => !dec(t.multiplier).equals(1))
      .map((t) => ({ label: t.label, multiplier: t.multiplier, text: m.accelerator(t.multiplier, t.label) })),
    spifs: p.lines
      .filter((l) => l.kind === 'spif')
      .map((l) => ({
        id: l.id,
        amount: money(l.amount, cur, locale),
        text: l.trace[0]?.text ?? l.componentId ?? l.id,
      })),
    why: why(p.lines),
  };
}

export interface DealCardInput {
  estimate: DealEstimate;
  locale: Locale;
  viewerPayeeId: string | null;
  canSee: (payeeId: string) => boolean;
  /** Only asked for won deals. */
  settlement: (payeeId: string) => SettlementStatus;
  calculatedAt: Date | null;
  now: Date;
}

export function dealCardView(input: DealCardInput): DealCardView {
  const { estimate: e, locale } = input;
  const m = messages(locale);
  const visible = e.payees.filter((p) => input.canSee(p.payeeId));
  // The viewer's own line first: it is what they opened the card for.
  visible.sort((a, b) => Number(b.payeeId === input.viewerPayeeId) - Number(a.payeeId === input.viewerPayeeId));
  const status = (p: DealEstimatePayee): DealPayeeView['status'] =>
    e.status === 'open' ? 'estimated' : e.status === 'lost' ? 'lost' : input.settlement(p.payeeId);
  const notes: string[] = [];
  if (e.payees.length === 0) notes.push(e.periodId === null && e.status !== 'lost' ? m.noPeriod : m.noCredit);
  else if (visible.length === 0) notes.push(m.nobodyVisible);
  return {
    dealId: e.dealId,
    locale,
    status: e.status,
    whatIf: e.whatIf,
    periodId: e.periodId,
    payees: visible.map((p) => payeeView(p, status(p), input.viewerPayeeId, locale)),
    notes,
    freshness: freshness(input.calculatedAt, input.now, locale),
  };
}

/** Days of [start, end] (inclusive ISO dates) elapsed by `today`, as a ratio 0..1. */
export function elapsedRatio(start: string, end: string, today: string): Decimal {
  const day = (iso: string) =>
    Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
  const total = day(end) - day(start) + 1;
  const done = Math.min(Math.max(day(today) - day(start) + 1, 0), total);
  return ratio(new Decimal(done), new Decimal(total));
}

function wholePercent(r: Decimal): number {
  return Math.max(0, r.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber());
}

/** Within ±5 % of the time elapsed counts as on pace. */
const PACE_TOLERANCE = new Decimal('0.05');

export function quotaProgress(
  r: PayeePeriodResult,
  period: { start: string; end: string },
  today: string,
  locale: Locale,
): QuotaProgressView {
  const elapsed = elapsedRatio(period.start, period.end, today);
  const att = dec(r.attainment);
  const pacing = att.greaterThan(elapsed.plus(PACE_TOLERANCE))
    ? 'ahead'
    : att.lessThan(elapsed.minus(PACE_TOLERANCE))
      ? 'behind'
      : 'on-track';
  return {
    payeeId: r.payeeId,
    name: r.name,
    periodId: r.periodId,
    quota: money(r.quota, r.currency, locale),
    achieved: money(r.credited, r.currency, locale),
    attainment: percent(r.attainment, locale),
    bar: { attained: wholePercent(att), elapsed: wholePercent(elapsed) },
    timeElapsed: percent(toDecimalString(elapsed.toDecimalPlaces(4)), locale),
    pacing,
    pacingText: messages(locale).pacing[pacing],
    earnings: money(r.earnings, r.currency, locale),
  };
}

export interface ContactDeal {
  dealId: string;
  name: string;
  amount: DecimalString;
  currency: string;
  closeDate: string | null;
  /** Sum of the estimate for the payees the viewer may see; null when none of them is visible. */
  commission: { amount: DecimalString; currency: string } | null;
}

export function contactCardView(input: {
  contactId: string;
  locale: Locale;
  owner: QuotaProgressView | null;
  ownerNote: 'unknown' | 'hidden' | null;
  deals: ContactDeal[];
  calculatedAt: Date | null;
  now: Date;
}): ContactCardView {
  const m = messages(input.locale);
  return {
    contactId: input.contactId,
    locale: input.locale,
    owner: input.owner,
    openDeals: input.deals.map((d) => ({
      dealId: d.dealId,
      name: d.name,
      amount: money(d.amount, d.currency, input.locale),
      commission: d.commission ? money(d.commission.amount, d.commission.currency, input.locale) : null,
      closeDate: d.closeDate,
    })),
    notes: input.ownerNote === 'unknown' ? [m.ownerUnknown] : input.ownerNote === 'hidden' ? [m.ownerHidden] : [],
    freshness: freshness(input.calculatedAt, input.now, input.locale),
  };
}

/** The reference table: each seller's quota, achieved, attainment, earnings; team attainment = Σ achieved / Σ quota. */
export function teamView(input: {
  results: PayeePeriodResult[];
  periodId: string;
  periods: string[];
  locale: Locale;
  calculatedAt: Date | null;
  now: Date;
}): TeamView {
  const { locale } = input;
  const rows = [...input.results].sort((a, b) => a.name.localeCompare(b.name, locale === 'da' ? 'da' : 'en'));
  const first = rows[0];
  const currencies = new Set(rows.map((r) => r.currency));
  let total: TeamView['total'] = null;
  if (first && currencies.size === 1) {
    const q = sum(rows.map((r) => dec(r.quota)));
    const c = sum(rows.map((r) => dec(r.credited)));
    const e = sum(rows.map((r) => dec(r.earnings)));
    total = {
      quota: money(toDecimalString(q), first.currency, locale),
      achieved: money(toDecimalString(c), first.currency, locale),
      attainment: percent(toDecimalString(ratio(c, q)), locale),
      earnings: money(toDecimalString(e), first.currency, locale),
    };
  }
  return {
    locale,
    periodId: input.periodId,
    periods: input.periods,
    rows: rows.map((r) => ({
      payeeId: r.payeeId,
      name: r.name,
      quota: money(r.quota, r.currency, locale),
      achieved: money(r.credited, r.currency, locale),
      attainment: percent(r.attainment, locale),
      earnings: money(r.earnings, r.currency, locale),
    })),
    total,
    freshness: freshness(input.calculatedAt, input.now, locale),
  };
}

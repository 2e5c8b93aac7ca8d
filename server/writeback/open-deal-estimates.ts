/**
 * `attain_estimated_commission` for open deals: what the deal pays its OWNER if won — the owner's earnings in
 * the period with the deal won at its amount minus without it (the engine's `estimateOpenDeals`, equal to its
 * per-deal `estimate`). The owner's share, not the sum over credited payees, so that "sum of estimated
 * commission by owner" in a HubSpot deal report is each seller's pipeline of pay and does not count a
 * manager's roll-up or a split partner's pay as the owner's (won deals carry the owner's earned lines the same
 * way).
 *
 * Which open deals, and at which close date:
 * - close date today or later: that date (the period it falls in);
 * - close date missing or already past (an overdue deal): today — "if it closes now", in the current period;
 * - only deals whose estimated close date falls in the current period or the next `periodsAhead` periods of
 *   the plan's primary component (tenant setting `hubspot.estimatePeriodsAhead`, default 1: current and next;
 *   `null` turns estimates off). Deals beyond carry no estimate, which bounds the cost of each publish.
 */
import { z } from 'zod';
import type { Deal } from '../../src/data/index.js';
import { estimateOpenDeals } from '../../src/engine/estimate-batch.js';
import { addDays, periodContaining } from '../../src/time/index.js';
import { loadCalcInputs } from '../calc/load-inputs.js';
import { getSyncCheckpoint, getTenant, saveSyncCheckpoint, type Db } from '../store/index.js';
import type { CreditPeriodRule } from './deal-results.js';

const CRM = 'hubspot';
const CHECKPOINT = 'open-deal-estimates';
export const DEFAULT_PERIODS_AHEAD = 1;

const settingsSchema = z.object({
  estimatePeriodsAhead: z
    .number({
      error: 'hubspot.estimatePeriodsAhead must be a whole number of periods (0 = current period only) or null (off)',
    })
    .int({ error: 'hubspot.estimatePeriodsAhead must be a whole number' })
    .min(0, { error: 'hubspot.estimatePeriodsAhead must be 0 or more' })
    .max(12, { error: 'hubspot.estimatePeriodsAhead is at most 12 periods' })
    .nullable()
    .optional(),
});

/** Periods after the current one whose open deals get an estimate; null: no estimates. */
export async function estimatePeriodsAhead(db: Db, tenantId: string): Promise<number | null> {
  const tenant = await getTenant(db, tenantId);
  const raw = tenant?.settings['hubspot'];
  const parsed = settingsSchema.safeParse(raw && typeof raw === 'object' ? raw : {});
  if (!parsed.success) {
    throw new Error(`[Attain] tenant "${tenantId}": ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const value = parsed.data.estimatePeriodsAhead;
  return value === undefined ? DEFAULT_PERIODS_AHEAD : value;
}

export interface EstimateWindow {
  /** Today (the engine's as-of date). */
  asOf: string;
  /** The current period of the primary component, e.g. 2026-Q4. */
  currentPeriodId: string;
  /** The last date an open deal may be estimated to close on. */
  lastDate: string;
  periodsAhead: number;
}

export function estimateWindow(asOf: string, rule: CreditPeriodRule, periodsAhead: number): EstimateWindow {
  const current = periodContaining(asOf, rule.kind, rule.calendar);
  let last = current;
  for (let i = 0; i < periodsAhead; i++) last = periodContaining(addDays(last.end, 1), rule.kind, rule.calendar);
  return { asOf, currentPeriodId: current.id, lastDate: last.end, periodsAhead };
}

/** The date an open deal is estimated to close on: its close date, or today when it has none or it has passed. */
export function estimateCloseDate(deal: Pick<Deal, 'closeDate'>, asOf: string): string {
  return deal.closeDate !== null && deal.closeDate >= asOf ? deal.closeDate : asOf;
}

export function inWindow(deal: Deal, window: EstimateWindow): boolean {
  return deal.status === 'open' && deal.ownerId !== null && estimateCloseDate(deal, window.asOf) <= window.lastDate;
}

/**
 * The owner's estimated commission per open deal in the window (decimal strings as the engine gives them;
 * "0.00" when the deal would pay its owner nothing, e.g. a split that leaves the owner out). Deals outside
 * the window, and deals whose owner is not a payee, are absent. One engine preparation for all of them.
 */
export async function openDealEstimates(
  db: Db,
  tenantId: string,
  deals: readonly Deal[],
  window: EstimateWindow,
): Promise<Map<string, string>> {
  const wanted = deals.filter((d) => inWindow(d, window));
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  // Everything the owners' statements read: their deals and their subtrees' (roll-ups, overrides), or every
  // deal when a plan pays team pools.
  const inputs = await loadCalcInputs(db, tenantId, { payeeIds: [...new Set(wanted.map((d) => d.ownerId!))] });
  if (inputs.plans.length === 0) return out;
  const closeDates = new Map<string, string>();
  for (const d of wanted) if (d.closeDate === null || d.closeDate < window.asOf) closeDates.set(d.id, window.asOf);
  const { estimates } = estimateOpenDeals(
    { plans: inputs.plans, data: inputs.data, periodId: window.currentPeriodId, asOf: window.asOf, explain: false },
    { dealIds: wanted.map((d) => d.id), closeDates, payees: 'owner' },
  );
  const payees = new Set(inputs.data.payees.map((p) => p.id));
  for (const d of wanted) {
    const e = estimates.get(d.id);
    if (!e || !payees.has(d.ownerId!)) continue;
    out.set(d.id, e.payees.find((p) => p.payeeId === d.ownerId)?.commission ?? '0.00');
  }
  return out;
}

/** What the last written estimates were computed for; `null` window: estimates off. */
function windowMark(window: EstimateWindow | null): Record<string, unknown> {
  return window ? { currentPeriodId: window.currentPeriodId, periodsAhead: window.periodsAhead } : { off: true };
}

/**
 * True when the window moved (a new current period, or the setting changed) since estimates were last written:
 * overdue deals then estimate into a new period and deals enter or leave the window, so every open deal is
 * refreshed.
 */
export async function windowMoved(db: Db, tenantId: string, window: EstimateWindow | null): Promise<boolean> {
  const last = await getSyncCheckpoint(db, tenantId, CRM, CHECKPOINT);
  if (!last) return true;
  const mark = windowMark(window);
  const keys = new Set([...Object.keys(last), ...Object.keys(mark)]);
  return [...keys].some((k) => last[k] !== mark[k]);
}

export async function recordWindow(db: Db, tenantId: string, window: EstimateWindow | null, at: Date): Promise<void> {
  await saveSyncCheckpoint(db, tenantId, CRM, CHECKPOINT, windowMark(window), at);
}

export async function listOpenDeals(db: Db, tenantId: string): Promise<Deal[]> {
  const rows = await db
    .selectFrom('deals')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'open')
    .execute();
  return rows.map((r) => r.data as unknown as Deal);
}

import type { DataSet, Deal } from '../../src/data/index.js';
import { payeePeriodResult, prepare } from '../../src/engine/index.js';
import type { Plan } from '../../src/plan/index.js';
import { fiscalYearOf } from '../../src/time/index.js';
import type { CalcEngine } from './engine-port.js';
import { needsWholeTeam } from './load-inputs.js';

/** The domain engine (src/engine) behind the service's port: one prepared context serves every payee and period of a run. */
export const domainEngine: CalcEngine = {
  calculate({ plans, data, asOf, periodIds, payeeIds }) {
    const ctx = prepare({ plans, data, asOf });
    const ids = (payeeIds ?? data.payees.map((p) => p.id)).filter((id) => ctx.payees.has(id));
    const results = ids.flatMap((id) => periodIds.map((periodId) => payeePeriodResult(ctx, id, periodId)));
    return { results, warnings: [...ctx.warnings] };
  },
  touchedPartitions: touchedByDeal,
};

/**
 * Partitions a deal change can alter: the payees it credits before and after (owner, splits) and everyone
 * above them (roll-ups and overrides pay managers on their reports), in the fiscal years of its close and
 * cancellation dates and every later year with data (lifetime caps carry forward). Plans with team pools
 * or team gates make every payee's partitions in those years depend on the deal.
 */
function touchedByDeal(
  input: { plans: Plan[]; data: DataSet },
  before: Deal | null,
  after: Deal | null,
): Array<{ payeeId: string; year: string }> {
  const calendar = input.plans[0]?.calendar ?? { fiscalYearStartMonth: 1 };
  const managerOf = new Map(input.data.payees.map((p) => [p.id, p.managerId ?? null]));
  const payees = new Set<string>();
  const years = new Set<number>();
  for (const deal of [before, after]) {
    if (!deal) continue;
    for (const id of [deal.ownerId, ...(deal.splits ?? []).map((s) => s.payeeId)]) {
      for (let p: string | null | undefined = id, guard = 0; p && guard < 100 && !payees.has(p); guard++) {
        payees.add(p);
        p = managerOf.get(p);
      }
    }
    for (const date of [deal.closeDate, deal.cancelledDate]) if (date) years.add(fiscalYearOf(date, calendar));
  }
  if (years.size === 0) return [];
  const first = Math.min(...years);
  const dataYears = input.data.quotas.map((q) => Number(q.periodId.slice(0, 4)));
  const last = Math.max(...years, ...dataYears);
  const affectedYears: number[] = [];
  for (let y = first; y <= last; y++) affectedYears.push(y);
  const who = needsWholeTeam(input.plans) ? input.data.payees.map((p) => p.id) : [...payees];
  return who.flatMap((payeeId) => affectedYears.map((y) => ({ payeeId, year: String(y) })));
}

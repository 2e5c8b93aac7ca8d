import type { DataSet } from '../../src/data/index.js';
import type { Plan } from '../../src/plan/index.js';
import type { Db } from '../store/repos/db.js';
import { listAssignments } from '../store/repos/assignments.js';
import { listDeals } from '../store/repos/deals.js';
import { listPayees, listTeams, payeeSubtree } from '../store/repos/payees.js';
import { listFxRates, listPayments } from '../store/repos/payments.js';
import { listPlans } from '../store/repos/plans.js';
import { listQuotas } from '../store/repos/quotas.js';

/**
 * Loads what the engine needs to calculate some (payee, fiscal year) partitions of a tenant.
 *
 * Payees, teams, assignments, quotas, payments and FX are small and loaded whole: manager roll-ups,
 * overrides and team gates read other payees' records. Deals dominate, so for a partition run only deals that
 * can credit the partitions' payees or anyone in their manager subtrees are loaded (roll-ups and overrides
 * look down the hierarchy) — unless a plan pays team pools, which read the whole team's deals; then every deal
 * is loaded. (An override's team-attainment gate reads the manager's reports, who are in the subtree.) All years are loaded: lifetime per-customer caps and
 * clawbacks of earlier years' deals look back.
 */
export interface CalcInputs {
  plans: Plan[];
  data: DataSet;
}

/** True when some plan's payout depends on deals beyond the payee's own subtree. */
export function needsWholeTeam(plans: readonly Plan[]): boolean {
  return JSON.stringify(plans).includes('"teamPool"');
}

export interface InputScope {
  /** Only the deals these payees' partitions need (default: every deal). */
  payeeIds?: readonly string[];
  /** false: no deals at all (enough to name the partitions a change touches). */
  deals?: boolean;
}

/** `scope` may also be given as just the payee ids. */
export async function loadCalcInputs(
  db: Db,
  tenantId: string,
  scopeOrPayeeIds: InputScope | readonly string[] = {},
): Promise<CalcInputs> {
  const scope: InputScope = isPayeeList(scopeOrPayeeIds) ? { payeeIds: scopeOrPayeeIds } : scopeOrPayeeIds;
  const plans = (await listPlans(db, tenantId)).map((r) => r.plan);
  const { payeeIds } = scope;
  let dealPayees: string[] | undefined;
  if (scope.deals === false) dealPayees = [];
  else if (payeeIds && !needsWholeTeam(plans)) {
    const subtree = new Set<string>();
    for (const id of payeeIds) for (const p of await payeeSubtree(db, tenantId, id)) subtree.add(p);
    dealPayees = [...subtree];
  }
  const [payees, teams, assignments, quotas, payments, fxRates, deals] = await Promise.all([
    listPayees(db, tenantId),
    listTeams(db, tenantId),
    listAssignments(db, tenantId),
    listQuotas(db, tenantId),
    listPayments(db, tenantId),
    listFxRates(db, tenantId),
    dealPayees?.length === 0
      ? Promise.resolve([])
      : listDeals(db, tenantId, dealPayees ? { payeeIds: dealPayees } : {}),
  ]);
  return { plans, data: { payees, teams, assignments, quotas, payments, fxRates, deals } };
}

function isPayeeList(value: InputScope | readonly string[]): value is readonly string[] {
  return Array.isArray(value);
}

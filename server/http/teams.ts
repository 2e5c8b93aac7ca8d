/** Teams: the list and the manager's view — each seller's quota, achieved, attainment and earnings, and team totals. */
import { z } from 'zod';
import { dec, ratio, sum, toDecimalString } from '../../src/money/index.js';
import type { Feature } from '../app.js';
import { teamScope } from '../auth/access.js';
import type { Db } from '../store/repos/db.js';
import { forbidden } from './errors.js';
import { publishedForTeams } from './published-results.js';
import { periodQuery, teamAttainmentView, teamIdParams, teamView } from './schemas.js';

/** Team attainment is reported to 6 decimals (0.000001 = 0.0001 %), enough for any display. */
const RATIO_DECIMALS = 6;

/**
 * The manager's table: the team's sellers. Members with neither quota nor credit in the period (a team lead
 * paid by overrides, say) are not sellers here and are left out of rows and totals; their own summary shows
 * their pay.
 */
export async function teamAttainment(
  db: Db,
  tenantId: string,
  team: { id: string; name: string; teamIds: string[] },
  periodId: string,
): Promise<z.output<typeof teamAttainmentView>> {
  const rows = (await publishedForTeams(db, tenantId, team.teamIds, periodId)).filter(
    (r) => r.quota === null || !(dec(r.quota).isZero() && dec(r.credited as string).isZero()),
  );
  const calculated = rows.filter((r) => r.quota !== null);
  const quota = sum(calculated.map((r) => dec(r.quota as string)));
  const achieved = sum(calculated.map((r) => dec(r.credited as string)));
  const earnings = sum(calculated.map((r) => dec(r.earnings as string)));
  return {
    teamId: team.id,
    teamName: team.name,
    periodId,
    sellers: rows.map((r) => ({
      payeeId: r.payeeId,
      name: r.name,
      quota: r.quota,
      achieved: r.credited,
      attainment: r.attainment,
      earnings: r.earnings,
      calculated: r.quota !== null,
    })),
    totals: {
      quota: toDecimalString(quota),
      achieved: toDecimalString(achieved),
      attainment: toDecimalString(ratio(achieved, quota).toDecimalPlaces(RATIO_DECIMALS)),
      earnings: toDecimalString(earnings),
    },
  };
}

export const teamsFeature: Feature = ({ api, deps }) => {
  api.endpoint({
    method: 'get',
    path: '/teams',
    tag: 'Teams',
    summary: 'Teams in the tenant (admins and managers)',
    roles: ['admin', 'manager'],
    response: z.object({ teams: z.array(teamView) }),
    handle: async ({ principal }) => {
      const teams = await deps.store.db
        .selectFrom('teams')
        .select(['id', 'name', 'manager_id as managerId', 'parent_team_id as parentTeamId'])
        .where('tenant_id', '=', principal.tenantId)
        .orderBy('name')
        .execute();
      return { teams };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/teams/:teamId/attainment',
    tag: 'Teams',
    summary: "Team attainment for a period: each member's quota, achieved, attainment and earnings; totals are sum/sum",
    params: teamIdParams,
    query: periodQuery,
    response: teamAttainmentView,
    handle: async ({ params, query, principal }) => {
      if (principal.role === 'seller') throw forbidden('Sellers see their own summary, not team views.');
      const scope = await teamScope(deps.store.db, principal, params.teamId);
      return teamAttainment(deps.store.db, principal.tenantId, { id: params.teamId, ...scope }, query.period);
    },
  });
};

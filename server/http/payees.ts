/** Payees: the list the caller may see, one payee, and a payee's period summary with payout lines and traces. */
import { z } from 'zod';
import type { Feature } from '../app.js';
import { assertCanSeePayee, visiblePayeeIds } from '../auth/access.js';
import type { Db } from '../store/repos/db.js';
import { notFound } from './errors.js';
import { payeeSummaryJson } from './published-results.js';
import { payeeIdParams, payeeSummaryView, payeeView, periodQuery } from './schemas.js';

const listQuery = z.strictObject({
  teamId: z.string().min(1).max(200).optional(),
  limit: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1)
    .max(1000)
    .default(200),
  offset: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0)
    .max(10_000_000)
    .default(0),
});

function selectPayees(db: Db, tenantId: string) {
  return db
    .selectFrom('payees')
    .select([
      'id',
      'name',
      'email',
      'manager_id as managerId',
      'team_id as teamId',
      'start_date as startDate',
      'end_date as endDate',
    ])
    .where('tenant_id', '=', tenantId);
}

export const payeesFeature: Feature = ({ api, deps }) => {
  api.endpoint({
    method: 'get',
    path: '/payees',
    tag: 'Payees',
    summary: 'Payees the caller may see (admin: all; manager: their subtree; seller: themselves)',
    query: listQuery,
    response: z.object({ payees: z.array(payeeView) }),
    handle: async ({ query, principal }) => {
      const ids = await visiblePayeeIds(deps.store.db, principal);
      if (ids !== null && ids.length === 0) return { payees: [] };
      let q = selectPayees(deps.store.db, principal.tenantId)
        .orderBy('name')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset);
      if (ids !== null) q = q.where('id', 'in', ids);
      if (query.teamId) q = q.where('team_id', '=', query.teamId);
      return { payees: await q.execute() };
    },
  });

  api.endpoint({
    method: 'get',
    path: '/payees/:payeeId',
    tag: 'Payees',
    summary: 'One payee',
    params: payeeIdParams,
    response: payeeView,
    handle: async ({ params, principal }) => {
      await assertCanSeePayee(deps.store.db, principal, params.payeeId);
      return selectPayees(deps.store.db, principal.tenantId).where('id', '=', params.payeeId).executeTakeFirstOrThrow();
    },
  });

  api.endpoint({
    method: 'get',
    path: '/payees/:payeeId/summary',
    tag: 'Payees',
    summary: "A payee's period: quota, credited, attainment, earnings, settlement and every payout line with its trace",
    params: payeeIdParams,
    query: periodQuery,
    response: payeeSummaryView,
    handle: async ({ params, query, principal, res }) => {
      // Admins and payees asking for themselves need no hierarchy lookup: one query answers (hot path).
      if (principal.role !== 'admin' && principal.payeeId !== params.payeeId)
        await assertCanSeePayee(deps.store.db, principal, params.payeeId);
      const body = await payeeSummaryJson(deps.store.db, principal.tenantId, params.payeeId, query.period);
      if (body === null) throw notFound(`Payee ${params.payeeId}`);
      res.type('application/json').send(body);
    },
  });
};

/** Quotas per payee and period: read within the caller's scope; set and remove (admins), each change audited. */
import { z } from 'zod';
import { id, periodId, quotaSchema } from '../../src/data/index.js';
import type { Feature } from '../app.js';
import { assertCanSeePayee, payeeExists, visiblePayeeIds } from '../auth/access.js';
import { deleteQuota, getQuota, listQuotas, upsertQuotas } from '../store/repos/quotas.js';
import { invalid, notFound, type FieldError } from './errors.js';
import { recordChange } from './audit-trail.js';
import { requestRecalc } from './recalc.js';

const quotaView = z
  .object({
    payeeId: z.string(),
    periodId: z.string(),
    amount: z.string().meta({ example: '900000' }),
    componentId: z.string().optional(),
  })
  .meta({ id: 'Quota' });

const listQuery = z.strictObject({
  payeeId: id.optional(),
  year: z
    .string()
    .regex(/^\d{4}$/, 'must be a year such as 2026')
    .optional(),
});

const quotaKey = z.strictObject({ payeeId: id, periodId, componentId: id.optional() });

export const quotasFeature: Feature = ({ api, deps }) => {
  const db = deps.store.db;

  api.endpoint({
    method: 'get',
    path: '/quotas',
    tag: 'Quotas',
    summary: 'Quotas the caller may see, optionally for one payee and/or fiscal year',
    query: listQuery,
    response: z.object({ quotas: z.array(quotaView) }),
    handle: async ({ query, principal }) => {
      if (query.payeeId) {
        await assertCanSeePayee(db, principal, query.payeeId);
        return {
          quotas: await listQuotas(db, principal.tenantId, {
            payeeIds: [query.payeeId],
            ...(query.year ? { year: query.year } : {}),
          }),
        };
      }
      const ids = await visiblePayeeIds(db, principal);
      return {
        quotas: await listQuotas(db, principal.tenantId, {
          ...(ids ? { payeeIds: ids } : {}),
          ...(query.year ? { year: query.year } : {}),
        }),
      };
    },
  });

  api.endpoint({
    method: 'put',
    path: '/quotas',
    tag: 'Quotas',
    summary: 'Set quotas (insert or replace by payee, period and component); all or nothing',
    roles: ['admin'],
    body: z.strictObject({ quotas: z.array(quotaSchema).min(1, 'must hold at least one quota').max(100_000) }),
    response: z.object({ quotas: z.array(quotaView), recalculationRequested: z.boolean() }),
    handle: async ({ body, principal, req }) => {
      const quotas = await db.transaction().execute(async (trx) => {
        const errors: FieldError[] = [];
        const known = new Map<string, boolean>();
        for (const [i, q] of body.quotas.entries()) {
          if (!known.has(q.payeeId)) known.set(q.payeeId, await payeeExists(trx, principal.tenantId, q.payeeId));
          if (!known.get(q.payeeId))
            errors.push({ path: `body.quotas.${i}.payeeId`, message: `payee "${q.payeeId}" does not exist` });
        }
        if (errors.length > 0) throw invalid(errors, 'No quota was stored.');
        for (const q of body.quotas) {
          const before = await getQuota(trx, principal.tenantId, q);
          if (before?.amount === q.amount) continue;
          await recordChange(trx, principal, deps.now(), {
            action: 'quota.set',
            entityType: 'quota',
            entityId: `${q.payeeId}/${q.periodId}/${q.componentId ?? ''}`,
            before: before ?? null,
            after: q,
          });
        }
        await upsertQuotas(trx, principal.tenantId, body.quotas);
        return body.quotas;
      });
      requestRecalc(deps, req, principal);
      return { quotas, recalculationRequested: true };
    },
  });

  api.endpoint({
    method: 'delete',
    path: '/quotas',
    tag: 'Quotas',
    summary: 'Remove one quota',
    roles: ['admin'],
    query: quotaKey,
    response: z.object({ deleted: quotaView }),
    handle: async ({ query, principal }) =>
      db.transaction().execute(async (trx) => {
        const before = await getQuota(trx, principal.tenantId, query);
        if (!before) throw notFound(`Quota ${query.payeeId}/${query.periodId}`);
        await deleteQuota(trx, principal.tenantId, query);
        await recordChange(trx, principal, deps.now(), {
          action: 'quota.deleted',
          entityType: 'quota',
          entityId: `${query.payeeId}/${query.periodId}/${query.componentId ?? ''}`,
          before,
          after: null,
        });
        return { deleted: before };
      }),
  });
};

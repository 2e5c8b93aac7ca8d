/** Which plan each payee is on, effective-dated: read within scope; add and remove (admins), audited. */
import { z } from 'zod';
import { assignmentSchema, id, isoDate } from '../../src/data/index.js';
import type { Feature } from '../app.js';
import { assertCanSeePayee, payeeExists, visiblePayeeIds } from '../auth/access.js';
import { deleteAssignment, listAssignments, upsertAssignments } from '../store/repos/assignments.js';
import { getPlan } from '../store/repos/plans.js';
import { invalid, notFound, type FieldError } from './errors.js';
import { recordChange } from './audit-trail.js';

const assignmentView = z
  .object({ payeeId: z.string(), planId: z.string(), from: z.string(), to: z.string().nullable().optional() })
  .meta({ id: 'Assignment' });

export const assignmentsFeature: Feature = ({ api, deps }) => {
  const db = deps.store.db;

  api.endpoint({
    method: 'get',
    path: '/assignments',
    tag: 'Assignments',
    summary: 'Plan assignments the caller may see',
    query: z.strictObject({ payeeId: id.optional() }),
    response: z.object({ assignments: z.array(assignmentView) }),
    handle: async ({ query, principal }) => {
      if (query.payeeId) {
        await assertCanSeePayee(db, principal, query.payeeId);
        return { assignments: await listAssignments(db, principal.tenantId, [query.payeeId]) };
      }
      const ids = await visiblePayeeIds(db, principal);
      return { assignments: await listAssignments(db, principal.tenantId, ids ?? undefined) };
    },
  });

  api.endpoint({
    method: 'post',
    path: '/assignments',
    tag: 'Assignments',
    summary: 'Put a payee on a plan from a date (to = null: open-ended)',
    roles: ['admin'],
    body: assignmentSchema.refine((a) => !a.to || a.to >= a.from, { message: 'must not be before from', path: ['to'] }),
    bodyDoc: assignmentSchema,
    status: 201,
    response: assignmentView,
    handle: async ({ body, principal }) =>
      db.transaction().execute(async (trx) => {
        const errors: FieldError[] = [];
        if (!(await payeeExists(trx, principal.tenantId, body.payeeId)))
          errors.push({ path: 'body.payeeId', message: `payee "${body.payeeId}" does not exist` });
        if (!(await getPlan(trx, principal.tenantId, body.planId)))
          errors.push({ path: 'body.planId', message: `plan "${body.planId}" does not exist` });
        if (errors.length > 0) throw invalid(errors);
        await upsertAssignments(trx, principal.tenantId, [body]);
        await recordChange(trx, principal, deps.now(), {
          action: 'assignment.set',
          entityType: 'assignment',
          entityId: `${body.payeeId}/${body.planId}/${body.from}`,
          before: null,
          after: body,
        });
        return body;
      }),
  });

  api.endpoint({
    method: 'delete',
    path: '/assignments',
    tag: 'Assignments',
    summary: 'Remove an assignment',
    roles: ['admin'],
    query: z.strictObject({ payeeId: id, planId: id, from: isoDate }),
    response: z.object({ deleted: z.literal(true) }),
    handle: async ({ query, principal }) =>
      db.transaction().execute(async (trx) => {
        if (!(await deleteAssignment(trx, principal.tenantId, query)))
          throw notFound(`Assignment ${query.payeeId}/${query.planId}/${query.from}`);
        await recordChange(trx, principal, deps.now(), {
          action: 'assignment.deleted',
          entityType: 'assignment',
          entityId: `${query.payeeId}/${query.planId}/${query.from}`,
          before: query,
          after: null,
        });
        return { deleted: true as const };
      }),
  });
};

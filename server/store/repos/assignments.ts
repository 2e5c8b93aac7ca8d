import type { Assignment } from '../../../src/data/index.js';
import { bulkUpsert } from './bulk.js';
import type { Db } from './db.js';

function toAssignment(r: { payee_id: string; plan_id: string; from_date: string; to_date: string | null }): Assignment {
  return { payeeId: r.payee_id, planId: r.plan_id, from: r.from_date, to: r.to_date };
}

export async function upsertAssignments(db: Db, tenantId: string, assignments: readonly Assignment[]): Promise<void> {
  await bulkUpsert(
    db,
    {
      table: 'assignments',
      columns: [
        { name: 'tenant_id', type: 'text' },
        { name: 'payee_id', type: 'text' },
        { name: 'plan_id', type: 'text' },
        { name: 'from_date', type: 'date' },
        { name: 'to_date', type: 'date' },
      ],
      conflict: ['tenant_id', 'payee_id', 'plan_id', 'from_date'],
    },
    assignments.map((a) => ({
      tenant_id: tenantId,
      payee_id: a.payeeId,
      plan_id: a.planId,
      from_date: a.from,
      to_date: a.to ?? null,
    })),
  );
}

export async function listAssignments(db: Db, tenantId: string, payeeIds?: readonly string[]): Promise<Assignment[]> {
  let q = db
    .selectFrom('assignments')
    .select(['payee_id', 'plan_id', 'from_date', 'to_date'])
    .where('tenant_id', '=', tenantId);
  if (payeeIds) {
    if (payeeIds.length === 0) return [];
    q = q.where('payee_id', 'in', payeeIds);
  }
  return (await q.orderBy('payee_id').orderBy('from_date').orderBy('plan_id').execute()).map(toAssignment);
}

export async function deleteAssignment(
  db: Db,
  tenantId: string,
  key: { payeeId: string; planId: string; from: string },
): Promise<boolean> {
  const r = await db
    .deleteFrom('assignments')
    .where('tenant_id', '=', tenantId)
    .where('payee_id', '=', key.payeeId)
    .where('plan_id', '=', key.planId)
    .where('from_date', '=', key.from)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

import { sql } from 'kysely';
import type { Plan } from '../../../src/plan/index.js';
import type { Db } from './db.js';

/**
 * Plans as immutable revisions: saving a plan appends revision n+1 holding the whole plan document (with its
 * effective-dated versions); nothing is ever edited in place (a trigger refuses UPDATE on plan_versions), so
 * "what did the plan say when we paid March" is always answerable.
 */
export interface PlanRevision {
  plan: Plan;
  revision: number;
  createdBy: string;
  createdAt: Date;
}

/** Appends a revision; call inside a transaction with recordAudit. The plans row is locked so concurrent saves number revisions one after another. */
export async function savePlanRevision(db: Db, tenantId: string, plan: Plan, createdBy: string): Promise<PlanRevision> {
  await db
    .insertInto('plans')
    .values({ tenant_id: tenantId, id: plan.id, name: plan.name })
    .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ name: plan.name }))
    .execute();
  await db
    .selectFrom('plans')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', plan.id)
    .forUpdate()
    .execute();
  const last = await db
    .selectFrom('plan_versions')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('tenant_id', '=', tenantId)
    .where('plan_id', '=', plan.id)
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('plan_versions')
    .values({
      tenant_id: tenantId,
      plan_id: plan.id,
      version: last.v + 1,
      definition: JSON.stringify(plan),
      created_by: createdBy,
    })
    .returning(['version', 'created_at'])
    .executeTakeFirstOrThrow();
  return { plan, revision: row.version, createdBy, createdAt: row.created_at };
}

/** The latest revision, or a given one. */
export async function getPlan(
  db: Db,
  tenantId: string,
  planId: string,
  revision?: number,
): Promise<PlanRevision | undefined> {
  let q = db
    .selectFrom('plan_versions')
    .select(['definition', 'version', 'created_by', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('plan_id', '=', planId);
  q = revision === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', revision);
  const r = await q.executeTakeFirst();
  return (
    r && {
      plan: r.definition as unknown as Plan,
      revision: r.version,
      createdBy: r.created_by,
      createdAt: r.created_at,
    }
  );
}

/** The latest revision of every plan of the tenant. */
export async function listPlans(db: Db, tenantId: string): Promise<PlanRevision[]> {
  const rows = await db
    .selectFrom('plan_versions as v')
    .select(['v.definition', 'v.version', 'v.created_by', 'v.created_at'])
    .where('v.tenant_id', '=', tenantId)
    .where(({ eb, selectFrom }) =>
      eb(
        'v.version',
        '=',
        selectFrom('plan_versions as w')
          .select(sql<number>`max(w.version)`.as('m'))
          .where('w.tenant_id', '=', tenantId)
          .whereRef('w.plan_id', '=', 'v.plan_id'),
      ),
    )
    .orderBy('v.plan_id')
    .execute();
  return rows.map((r) => ({
    plan: r.definition as unknown as Plan,
    revision: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

export async function listPlanRevisions(
  db: Db,
  tenantId: string,
  planId: string,
): Promise<Array<Omit<PlanRevision, 'plan'>>> {
  const rows = await db
    .selectFrom('plan_versions')
    .select(['version', 'created_by', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('plan_id', '=', planId)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ revision: r.version, createdBy: r.created_by, createdAt: r.created_at }));
}

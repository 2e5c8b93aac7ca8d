/**
 * Plans. A plan is a document with effective-dated versions; the store keeps every saved revision and never
 * edits one. Through the API history is also never rewritten: a change is a NEW version with a later
 * `effectiveFrom` (POST …/versions, or PUT with the existing versions unchanged plus new ones at the end).
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { planSchema, planVersionSchema, toFieldErrors, type Plan } from '../../src/plan/index.js';
import { getPlan, listPlanRevisions, listPlans, savePlanRevision } from '../store/repos/plans.js';
import type { Db } from '../store/repos/db.js';
import type { Feature } from '../app.js';
import { conflict, invalid, notFound, type FieldError } from './errors.js';
import { recordChange } from './audit-trail.js';
import { planIdParams } from './schemas.js';

const planView = z
  .object({
    plan: z
      .looseObject({ id: z.string(), name: z.string() })
      .meta({ description: 'The plan document (see the Plan request schema)' }),
    revision: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'PlanRevision' });

const versionsView = z.object({
  planId: z.string(),
  versions: z.array(z.looseObject({ id: z.string(), effectiveFrom: z.string() })),
  revisions: z.array(z.object({ revision: z.number().int(), createdBy: z.string(), createdAt: z.string() })),
});

function view(r: { plan: Plan; revision: number; createdBy: string; createdAt: Date }) {
  return { plan: r.plan, revision: r.revision, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}

/** The plan's latest revision; 404 when the tenant has no such plan. */
async function existingPlan(db: Db, tenantId: string, planId: string) {
  const found = await getPlan(db, tenantId, planId);
  if (!found) throw notFound(`Plan ${planId}`);
  return found;
}

export const plansFeature: Feature = ({ api, deps }) => {
  const db = deps.store.db;

  api.endpoint({
    method: 'get',
    path: '/plans',
    tag: 'Plans',
    summary: 'The latest revision of every plan',
    roles: ['admin', 'manager'],
    response: z.object({ plans: z.array(planView) }),
    handle: async ({ principal }) => ({ plans: (await listPlans(db, principal.tenantId)).map(view) }),
  });

  api.endpoint({
    method: 'get',
    path: '/plans/:planId',
    tag: 'Plans',
    summary: 'A plan (latest revision)',
    roles: ['admin', 'manager'],
    params: planIdParams,
    response: planView,
    handle: async ({ params, principal }) => {
      return view(await existingPlan(db, principal.tenantId, params.planId));
    },
  });

  api.endpoint({
    method: 'get',
    path: '/plans/:planId/versions',
    tag: 'Plans',
    summary: "A plan's effective-dated versions and the history of saved revisions",
    roles: ['admin', 'manager'],
    params: planIdParams,
    response: versionsView,
    handle: async ({ params, principal }) => {
      const found = await existingPlan(db, principal.tenantId, params.planId);
      const revisions = await listPlanRevisions(db, principal.tenantId, params.planId);
      return {
        planId: params.planId,
        versions: found.plan.versions,
        revisions: revisions.map((r) => ({
          revision: r.revision,
          createdBy: r.createdBy,
          createdAt: r.createdAt.toISOString(),
        })),
      };
    },
  });

  api.endpoint({
    method: 'post',
    path: '/plans',
    tag: 'Plans',
    summary: 'Create a plan (validated; 409 if the id exists — add a version instead)',
    roles: ['admin'],
    body: planSchema,
    status: 201,
    response: planView,
    handle: async ({ body, principal }) => {
      const plan = body;
      return db.transaction().execute(async (trx) => {
        if (await getPlan(trx, principal.tenantId, plan.id))
          throw conflict(`Plan ${plan.id} exists; POST /api/v1/plans/${plan.id}/versions adds a version.`);
        const saved = await savePlanRevision(trx, principal.tenantId, plan, principal.actor);
        await recordChange(trx, principal, deps.now(), {
          action: 'plan.saved',
          entityType: 'plan',
          entityId: plan.id,
          before: null,
          after: plan,
        });
        return view(saved);
      });
    },
  });

  api.endpoint({
    method: 'post',
    path: '/plans/:planId/versions',
    tag: 'Plans',
    summary: 'Add an effective-dated version (its effectiveFrom must be after every existing version)',
    roles: ['admin'],
    params: planIdParams,
    body: planVersionSchema,
    status: 201,
    response: planView,
    handle: async ({ params, body, principal }) =>
      db.transaction().execute(async (trx) => {
        const current = await existingPlan(trx, principal.tenantId, params.planId);
        const next = appendVersion(current.plan, body);
        const saved = await savePlanRevision(trx, principal.tenantId, next, principal.actor);
        await recordChange(trx, principal, deps.now(), {
          action: 'plan.saved',
          entityType: 'plan',
          entityId: params.planId,
          before: current.plan,
          after: next,
        });
        return view(saved);
      }),
  });

  api.endpoint({
    method: 'put',
    path: '/plans/:planId',
    tag: 'Plans',
    summary: 'Save a plan: existing versions must be unchanged; new versions (later effectiveFrom) are appended',
    roles: ['admin'],
    params: planIdParams,
    body: planSchema,
    response: planView,
    handle: async ({ params, body, principal }) => {
      const plan = body;
      if (plan.id !== params.planId)
        throw invalid([{ path: 'body.id', message: `must be "${params.planId}" (the plan in the path)` }]);
      return db.transaction().execute(async (trx) => {
        const current = await existingPlan(trx, principal.tenantId, params.planId);
        assertHistoryKept(current.plan, plan);
        if (isDeepStrictEqual(current.plan, plan)) return view(current);
        const saved = await savePlanRevision(trx, principal.tenantId, plan, principal.actor);
        await recordChange(trx, principal, deps.now(), {
          action: 'plan.saved',
          entityType: 'plan',
          entityId: plan.id,
          before: current.plan,
          after: plan,
        });
        return view(saved);
      });
    },
  });
};

function appendVersion(plan: Plan, version: Plan['versions'][number]): Plan {
  const last = plan.versions[plan.versions.length - 1];
  if (last && version.effectiveFrom <= last.effectiveFrom) {
    throw invalid([
      {
        path: 'body.effectiveFrom',
        message: `must be after ${last.effectiveFrom} (the latest version); history is never edited`,
      },
    ]);
  }
  if (plan.versions.some((v) => v.id === version.id))
    throw invalid([{ path: 'body.id', message: `version "${version.id}" exists already` }]);
  const r = planSchema.safeParse({ ...plan, versions: [...plan.versions, version] });
  if (!r.success) {
    // Errors inside the new version are reported relative to the body.
    const at = plan.versions.length;
    throw invalid(
      toFieldErrors(r.error).map((e) => ({
        path: e.path.startsWith(`versions.${at}.`)
          ? `body.${e.path.slice(`versions.${at}.`.length)}`
          : `plan.${e.path}`,
        message: e.message,
      })),
      'The version is invalid.',
    );
  }
  return r.data;
}

/** Every version already saved must appear unchanged, in place, in the new document. */
function assertHistoryKept(before: Plan, after: Plan): void {
  const errors: FieldError[] = [];
  before.versions.forEach((v, i) => {
    const same = after.versions[i];
    if (!same || !isDeepStrictEqual(same, v)) {
      errors.push({
        path: `body.versions.${i}`,
        message: `version "${v.id}" (effective ${v.effectiveFrom}) is history and cannot be changed or removed; add a new version instead`,
      });
    }
  });
  if (errors.length > 0) throw invalid(errors, 'Saved plan versions are never edited.');
}

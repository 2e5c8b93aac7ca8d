/** Recalculation: queue one (202 + run id; the queue coalesces bursts) and look at a run's status. */
import type { Request } from 'express';
import { z } from 'zod';
import type { AppDeps, Feature } from '../app.js';
import type { Principal } from '../auth/principal.js';
import { notFound } from './errors.js';

/**
 * After a data change: ask for a recalculation without holding the response (the runner coalesces bursts;
 * readers see the previous results until the new run is published). A failure is logged, not lost silently.
 */
export function requestRecalc(deps: AppDeps, req: Request, principal: Principal): void {
  deps.recalc.request({ tenantId: principal.tenantId, actor: principal.actor }).catch((err: unknown) => {
    req.log.error({ err, tenantId: principal.tenantId }, 'recalculation after a change failed');
  });
}

const runView = z
  .object({
    runId: z.string(),
    kind: z.string(),
    status: z.enum(['running', 'published', 'failed']),
    triggeredBy: z.string(),
    asOf: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'CalculationRun' });

export const recalcFeature: Feature = ({ api, deps }) => {
  api.endpoint({
    method: 'post',
    path: '/recalculations',
    tag: 'Calculation',
    summary: 'Queue a recalculation of the tenant; readers keep seeing the previous results until it is published',
    roles: ['admin'],
    status: 202,
    response: z.object({ runId: z.string() }),
    handle: async ({ principal }) => deps.recalc.request({ tenantId: principal.tenantId, actor: principal.actor }),
  });

  api.endpoint({
    method: 'get',
    path: '/recalculations/:runId',
    tag: 'Calculation',
    summary: 'Status of a calculation run',
    roles: ['admin', 'manager'],
    params: z.strictObject({ runId: z.string().min(1).max(200) }),
    response: runView,
    handle: async ({ params, principal }) => {
      const run = await deps.store.db
        .selectFrom('calc_runs')
        .select(['id', 'kind', 'status', 'triggered_by', 'as_of', 'started_at', 'finished_at', 'error'])
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', params.runId)
        .executeTakeFirst();
      if (!run) throw notFound(`Run ${params.runId}`);
      return {
        runId: run.id,
        kind: run.kind,
        status: run.status,
        triggeredBy: run.triggered_by,
        asOf: run.as_of,
        startedAt: run.started_at.toISOString(),
        finishedAt: run.finished_at?.toISOString() ?? null,
        error: run.error,
      };
    },
  });
};

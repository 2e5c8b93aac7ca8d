/** Recalculation: queue one (202 + run id; the queue coalesces bursts) and look at a run's status. */
import { z } from 'zod';
import type { Feature } from '../app.js';
import { notFound } from './errors.js';

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

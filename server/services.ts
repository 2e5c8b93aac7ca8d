/**
 * The background side of a running instance: the durable recalculation queue (pg-boss; CRM webhooks and sync
 * enqueue partitions, this instance works them), full recalculations requested through the API (coalesced per
 * tenant), and the nightly full recalculation (a cron tick elected through the lease table, so it runs once
 * across all instances).
 */
import { hostname } from 'node:os';
import { domainEngine } from './calc/engine.js';
import { recalculateTenant, startRecalcWorker } from './calc/index.js';
import { createScheduler } from './jobs/cron.js';
import { startQueue } from './jobs/queue.js';
import type { Logger } from './log.js';
import type { Jobs } from './main.js';
import { TenantRecalcRunner } from './recalc-runner.js';
import { listTenantIds, type Store } from './store/index.js';

export async function startJobs(
  store: Store,
  logger: Logger,
  options: { shutdownGraceMs: number },
): Promise<Jobs & { runner: TenantRecalcRunner }> {
  const log = logger.child({ component: 'jobs' });
  const queue = await startQueue(store, { log });
  await startRecalcWorker(queue, store.db, { engine: domainEngine });

  const runner = new TenantRecalcRunner(
    // The caller hears the run id as soon as the run is recorded, not when it is published.
    (tenantId, actor, onStarted) =>
      recalculateTenant(store.db, tenantId, { now: new Date(), actor, engine: domainEngine, onStarted }),
    log,
  );

  const scheduler = createScheduler(store.db, { holder: `${hostname()}:${process.pid}`, log });
  scheduler.schedule('nightly-recalc', '0 30 2 * * *', async () => {
    for (const tenantId of await listTenantIds(store.db)) await runner.request({ tenantId, actor: 'cron:nightly' });
  });

  return {
    runner,
    recalc: runner,
    /** The queue answers (its tables are reachable through the store's pool). */
    async readiness() {
      try {
        await queue.pending('recalc');
        return { ok: true };
      } catch (err) {
        return { ok: false, detail: `queue: ${(err as Error).message}` };
      }
    },
    async stop() {
      await scheduler.stop(options.shutdownGraceMs);
      await runner.stop();
      await queue.stop(options.shutdownGraceMs);
    },
  };
}

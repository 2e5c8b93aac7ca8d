import PgBoss from 'pg-boss';
import type { Store } from '../store/open.js';

/**
 * The durable work queue (pg-boss 10 in the store's own database, schema `pgboss`): recalculation and CRM
 * write-back per (tenant, payee, fiscal year) partition.
 *
 * Coalescing: both queues use pg-boss's `stately` policy with the partition as singleton key, so per
 * partition there is at most one job waiting and one running. A burst of requests for a partition collapses
 * into the one waiting job (it has not started, so it will read the newest data); a request that arrives
 * while the partition is running queues exactly one follow-up. Hence no partition runs twice at once and no
 * request is lost. Jobs survive restarts (they are rows); a job whose worker died is retried after
 * `expireInSeconds`.
 *
 * pg-boss talks through the store's pool. On PGlite that pool has one connection: never enqueue from inside
 * a `db.transaction()` (it would wait for the connection the transaction holds); enqueue after commit.
 */

export interface Partition {
  tenantId: string;
  payeeId: string;
  /** Fiscal year, e.g. "2026". */
  year: string;
}

export type QueueName = 'recalc' | 'writeback';
export const QUEUE_NAMES: QueueName[] = ['recalc', 'writeback'];

export interface QueueLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface QueueOptions {
  log?: QueueLog;
  /** A running job not finished within this time counts as abandoned (its worker died) and is retried. Default 300. */
  expireInSeconds?: number;
  /** How often expired jobs are looked for. Default 60. */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker polls. Default 0.5. */
  pollingIntervalSeconds?: number;
  /** Jobs fetched per poll (different partitions; a handler gets them together). Default 20. */
  batchSize?: number;
  retryLimit?: number;
}

export interface JobQueue {
  readonly boss: PgBoss;
  /** Asks for a partition's recalculation. 'coalesced' = an identical request is already waiting and will cover this one. */
  enqueue(queue: QueueName, partition: Partition): Promise<'queued' | 'coalesced'>;
  /** Starts working a queue in this process. The handler gets distinct partitions; throwing fails (and retries) all of them. */
  work(queue: QueueName, handler: (partitions: Partition[]) => Promise<void>): Promise<void>;
  /** Jobs waiting or running, per queue. */
  pending(queue: QueueName): Promise<number>;
  /** Graceful stop: take no new jobs, let running handlers finish (up to `timeoutMs`), then release the connection. */
  stop(timeoutMs?: number): Promise<void>;
}

export function partitionKey(p: Partition): string {
  return [p.tenantId, p.payeeId, p.year].map(encodeURIComponent).join('/');
}

export async function startQueue(store: Store, options: QueueOptions = {}): Promise<JobQueue> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => store.pool.query(text, values) },
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    monitorStateIntervalSeconds: 60,
  });
  boss.on('error', (error: Error) => options.log?.error({ err: error.message }, 'job queue error'));
  await boss.start();
  for (const name of QUEUE_NAMES) {
    const queue = await boss.getQueue(name);
    const settings = {
      name,
      policy: 'stately' as const,
      retryLimit: options.retryLimit ?? 5,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: options.expireInSeconds ?? 300,
      // A waiting job is kept for 14 days (workers may be down for a while; nothing queued may vanish);
      // finished jobs are only history and go after a day.
      retentionDays: 14,
      deleteAfterDays: 1,
    };
    if (queue) await boss.updateQueue(name, settings);
    else
      await boss.createQueue(name, settings).catch(async (error: Error) => {
        // Another instance created it between our check and our create.
        if (!(await boss.getQueue(name))) throw error;
      });
  }

  if (store.kind === 'pglite') await retryOrphans(boss, store, options.log);

  const workers: string[] = [];
  let stopped = false;
  return {
    boss,
    async enqueue(queue, partition) {
      const id = await boss.send(queue, { ...partition }, { singletonKey: partitionKey(partition) });
      return id ? 'queued' : 'coalesced';
    },
    async work(queue, handler) {
      const id = await boss.work<Partition>(
        queue,
        { batchSize: options.batchSize ?? 20, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
        async (jobs) => {
          const unique = new Map(
            jobs.map((j) => [
              partitionKey(j.data),
              { tenantId: j.data.tenantId, payeeId: j.data.payeeId, year: j.data.year },
            ]),
          );
          await handler([...unique.values()]);
        },
      );
      workers.push(id);
    },
    async pending(queue) {
      const r = await store.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state < 'completed'`,
        [queue],
      );
      return Number(r.rows[0]?.n ?? 0);
    },
    async stop(timeoutMs = 30_000) {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
    },
  };
}

/**
 * On the embedded database this process holds the data-dir lock, so a job still marked active belongs to a
 * process that died (kill -9, power cut): hand it back for retry now instead of waiting for it to expire.
 * (On PostgreSQL other instances may be running it; expiry handles dead workers there.)
 */
async function retryOrphans(boss: PgBoss, store: Store, log: QueueLog | undefined): Promise<void> {
  const r = await store.pool.query<{ id: string; name: QueueName }>(
    `SELECT id, name FROM pgboss.job WHERE state = 'active' AND name = ANY($1)`,
    [QUEUE_NAMES],
  );
  for (const name of QUEUE_NAMES) {
    const ids = r.rows.filter((row) => row.name === name).map((row) => row.id);
    if (ids.length === 0) continue;
    await boss.fail(name, ids);
    log?.info({ queue: name, jobs: ids.length }, 'requeued jobs of a process that died');
  }
}

/**
 * A stand-in server process for the multi-process job tests: `cron <databaseUrl>` runs a every-second schedule,
 * `queue <databaseUrl>` works the recalc queue. Each run is recorded in test tables (slot/partition, pid,
 * start, finish) so the parent can check "once per tick" and "never twice at once". SIGTERM = graceful stop.
 */
import { sql } from 'kysely';
import { createScheduler } from '../../server/jobs/cron.js';
import { startQueue } from '../../server/jobs/queue.js';
import { openStore } from '../../server/store/index.js';

const [mode, databaseUrl, runMs = '300'] = process.argv.slice(2);
const store = await openStore({ databaseUrl: databaseUrl!, poolSize: 3 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stop: () => Promise<void>;

if (mode === 'cron') {
  const scheduler = createScheduler(store.db, { holder: `pid-${process.pid}` });
  scheduler.schedule(
    'test-tick',
    '* * * * * *',
    async ({ slot }) => {
      const row = await sql<{
        id: number;
      }>`INSERT INTO cron_runs (slot, pid) VALUES (${slot.toISOString()}, ${process.pid}) RETURNING id`.execute(
        store.db,
      );
      await sleep(Number(runMs));
      await sql`UPDATE cron_runs SET finished_at = clock_timestamp() WHERE id = ${row.rows[0]!.id}`.execute(store.db);
    },
    { leaseMs: 60_000 },
  );
  stop = () => scheduler.stop(5000);
} else {
  const queue = await startQueue(store, {
    pollingIntervalSeconds: 0.5,
    batchSize: 5,
    log: { info: () => undefined, error: (f) => console.error('queue error', JSON.stringify(f)) },
  });
  await queue.work('recalc', async (partitions) => {
    await Promise.all(
      partitions.map(async (p) => {
        const key = `${p.tenantId}/${p.payeeId}/${p.year}`;
        const row = await sql<{
          id: number;
        }>`INSERT INTO job_runs (partition, pid) VALUES (${key}, ${process.pid}) RETURNING id`.execute(store.db);
        await sleep(Number(runMs));
        await sql`UPDATE job_runs SET finished_at = clock_timestamp() WHERE id = ${row.rows[0]!.id}`.execute(store.db);
      }),
    );
  });
  stop = () => queue.stop(10_000);
}
process.send?.('ready');
process.on('SIGTERM', () => {
  void stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});

import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { calculate } from '../../src/engine/index.js';
import {
  domainEngine,
  enqueueRecalc,
  loadCalcInputs,
  partitionsForDealChanges,
  readPublishedResults,
  recalculateTenant,
  startRecalcWorker,
} from '../../server/calc/index.js';
import { startQueue } from '../../server/jobs/queue.js';
import {
  getDeal,
  listCalcRuns,
  openStore,
  upsertDeals,
  type OpenStoreOptions,
  type Store,
} from '../../server/store/index.js';
import { backends, createTempDataDir, createTestDatabase, seedDataDir } from '../helpers/stores.js';
import { loadReference } from './reference.js';

/** `kill -9` of a server process during a recalculation: previous results stay intact and visible, queued work completes. */

const T = 'nordlys';
const now = new Date('2026-10-01T06:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const childPath = new URL('./recalc-child.ts', import.meta.url).pathname;

function spawnWorker(target: string[], extra: string[] = []): ChildProcess {
  return fork(childPath, [...target, ...extra], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const byPayee = <R extends { payeeId: string }>(list: R[]) =>
  [...list].sort((a, b) => a.payeeId.localeCompare(b.payeeId));

async function expected(store: Store, periodId: string) {
  const inputs = await loadCalcInputs(store.db, T);
  return byPayee(
    JSON.parse(
      JSON.stringify(calculate({ plans: inputs.plans, data: inputs.data, periodId, asOf: '2026-10-01' }).payees),
    ),
  );
}

/** Loads the scenario, publishes a full run, then changes a deal and queues its partitions plus two more. */
async function prepare(store: Store) {
  await loadReference(store.db, T);
  await recalculateTenant(store.db, T, { now, engine: domainEngine });
  const baseline = await readPublishedResults(store.db, T, { periodId: '2026-Q3' });
  const deal = (await getDeal(store.db, T, 'D-2026-001'))!;
  const changes = await upsertDeals(store.db, T, [{ ...deal, amount: '999999.99' }]);
  const touched = await partitionsForDealChanges(store.db, T, changes, domainEngine);
  const queue = await startQueue(store, { expireInSeconds: 3 });
  await enqueueRecalc(queue, T, [...touched, { payeeId: 'bo', year: '2026' }, { payeeId: 'camilla', year: '2026' }]);
  await queue.stop();
  return baseline;
}

async function recoverAndCheck(store: Store, baseline: unknown) {
  // Previous results intact and visible; the killed run is left 'running' and nothing of it is served.
  expect(await readPublishedResults(store.db, T, { periodId: '2026-Q3' })).toEqual(baseline);
  const runs = await listCalcRuns(store.db, T);
  const abandoned = runs.filter((r) => r.status === 'running');
  expect(abandoned.length).toBeGreaterThanOrEqual(1);
  for (const r of abandoned)
    expect(await store.db.selectFrom('payee_results').select('run_id').where('run_id', '=', r.id).execute()).toEqual(
      [],
    );

  // Restart: the queued work completes (the dead worker's job is retried).
  const queue = await startQueue(store, {
    pollingIntervalSeconds: 0.5,
    maintenanceIntervalSeconds: 1,
    expireInSeconds: 3,
  });
  await startRecalcWorker(queue, store.db, { engine: domainEngine, clock: () => now });
  await until(async () => (await queue.pending('recalc')) === 0, 120_000, 'the queue to drain');
  await queue.stop();
  expect(await readPublishedResults(store.db, T, { periodId: '2026-Q1' })).toEqual(await expected(store, '2026-Q1'));
  expect(await readPublishedResults(store.db, T, { periodId: '2026-Q3' })).toEqual(await expected(store, '2026-Q3'));
  const published = (await listCalcRuns(store.db, T)).filter(
    (r) => r.status === 'published' && r.kind === 'partitions',
  );
  expect(published.length).toBeGreaterThanOrEqual(1);
}

describe('kill -9 during a recalculation', () => {
  for (const backend of backends()) {
    it(`keeps the previous results and completes the queued work after restart [${backend}]`, async () => {
      const dir = createTempDataDir();
      const database = backend === 'postgres' ? await createTestDatabase('attain_crash') : undefined;
      if (!database) await seedDataDir(dir.dataDir);
      const options: OpenStoreOptions = database ? { databaseUrl: database.url } : { dataDir: dir.dataDir };
      const target = database ? ['--database-url', database.url] : ['--data-dir', dir.dataDir];
      let store = await openStore(options);
      try {
        const baseline = await prepare(store);
        if (backend === 'pglite') await store.close(); // the child must own the data directory

        const marker = join(dir.dataDir + '-marker');
        const child = spawnWorker(target, ['--block-after', marker]);
        await until(() => existsSync(marker), 120_000, 'the child to start calculating');
        child.kill('SIGKILL');
        await exited(child);

        if (backend === 'pglite') store = await openStore(options); // takes over the dead process's lock
        await recoverAndCheck(store, baseline);
      } finally {
        await store.close();
        dir.remove();
        await database?.drop();
      }
    }, 180_000);
  }

  it.skipIf(!backends().includes('postgres'))(
    'never serves a publish transaction cut off by kill -9 [postgres]',
    async () => {
      const database = await createTestDatabase('attain_crash');
      const store = await openStore({ databaseUrl: database.url });
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        const baseline = await prepare(store);
        // Hold the pointer table so the child's publish transaction stops half-way: results written, pointers not yet.
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE published_partitions IN SHARE MODE');
        const child = spawnWorker(['--database-url', database.url]);
        await until(
          async () =>
            (
              await store.pool.query(
                `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%published_partitions%'`,
              )
            ).rows.length > 0,
          120_000,
          'the child to block inside its publish transaction',
        );
        const inFlight = await store.pool.query<{ id: string }>(`SELECT id FROM calc_runs WHERE status = 'running'`);
        child.kill('SIGKILL');
        await exited(child);
        await locker.query('ROLLBACK');
        await until(
          async () =>
            (
              await store.pool.query(
                `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            ).rows.length === 0,
          10_000,
          'the dead backend to go',
        );
        for (const r of inFlight.rows)
          expect((await store.pool.query(`SELECT 1 FROM payee_results WHERE run_id = $1`, [r.id])).rows).toEqual([]);
        await recoverAndCheck(store, baseline);
      } finally {
        await locker.end();
        await store.close();
        await database.drop();
      }
    },
    180_000,
  );
});

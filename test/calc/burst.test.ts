import { fork, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { calculate } from '../../src/engine/index.js';
import {
  domainEngine,
  enqueueRecalc,
  loadCalcInputs,
  readPublishedResults,
  recalculateTenant,
} from '../../server/calc/index.js';
import { startQueue } from '../../server/jobs/queue.js';
import { openStore, upsertDeals } from '../../server/store/index.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/stores.js';
import { loadReference } from './reference.js';

/**
 * Two server processes (children) work the recalc queue of one PostgreSQL while 1,000 requests for 10 payees
 * arrive in waves, each wave also changing one deal of every payee. Checked from the database afterwards:
 * every partition was recalculated after its last request (nothing lost), no partition ever had two runs
 * overlapping in time (none twice concurrently), and what is published equals the engine on the final data.
 */

const T = 'nordlys';
const now = new Date('2026-10-01T06:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const childPath = new URL('./recalc-child.ts', import.meta.url).pathname;

function spawnWorker(url: string): Promise<ChildProcess> {
  const child = fork(childPath, ['--database-url', url, '--batch-size', '5'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve(c.exitCode)
    : new Promise<number | null>((r) => c.once('exit', r));

describe.skipIf(!testDatabaseUrl)('a burst of recalculation requests across two server processes', () => {
  it('recalculates every partition after its last request, never twice at once, and publishes the final data', async () => {
    const database = await createTestDatabase('attain_burst');
    const store = await openStore({ databaseUrl: database.url, poolSize: 4 });
    const children: ChildProcess[] = [];
    try {
      const { data } = await loadReference(store.db, T);
      await recalculateTenant(store.db, T, { now, engine: domainEngine });
      const sellers = data.payees
        .filter((p) => p.managerId)
        .map((p) => p.id)
        .slice(0, 10);
      expect(sellers).toHaveLength(10);
      const dealOf = new Map(
        sellers.map((id) => [id, data.deals.find((d) => d.ownerId === id && d.closeDate?.startsWith('2026-0'))!]),
      );

      const producer = await startQueue(store, {});
      children.push(await spawnWorker(database.url), await spawnWorker(database.url));
      const lastRequest = new Map<string, Date>();
      let requests = 0;
      for (let wave = 0; wave < 10; wave++) {
        await upsertDeals(
          store.db,
          T,
          sellers.map((id) => ({ ...dealOf.get(id)!, amount: `${100000 + wave * 1000 + sellers.indexOf(id)}.50` })),
        );
        for (let r = 0; r < 10; r++) {
          await Promise.all(sellers.map((payeeId) => enqueueRecalc(producer, T, [{ payeeId, year: '2026' }])));
          requests += sellers.length;
        }
        const at = (await sql<{ at: Date }>`SELECT clock_timestamp() AS at`.execute(store.db)).rows[0]!.at;
        for (const id of sellers) lastRequest.set(id, at);
        await sleep(100);
      }
      expect(requests).toBe(1000);
      for (let i = 0; i < 1200 && (await producer.pending('recalc')) > 0; i++) await sleep(100);
      expect(await producer.pending('recalc')).toBe(0);
      await producer.stop();
      for (const c of children) c.kill('SIGTERM');
      for (const c of children) expect(await exited(c)).toBe(0);

      const runs = (
        await sql<{ partitions: Array<{ payeeId: string; year: string }>; started_at: Date; finished_at: Date }>`
          SELECT partitions, started_at, finished_at FROM calc_runs WHERE kind = 'partitions' AND status = 'published' ORDER BY started_at`.execute(
          store.db,
        )
      ).rows;
      expect(runs.length).toBeLessThan(1000);
      for (const payeeId of sellers) {
        const own = runs.filter((r) => r.partitions.some((p) => p.payeeId === payeeId && p.year === '2026'));
        expect(own.some((r) => r.started_at > lastRequest.get(payeeId)!)).toBe(true);
        for (let i = 1; i < own.length; i++) expect(own[i]!.started_at >= own[i - 1]!.finished_at).toBe(true);
      }
      const inputs = await loadCalcInputs(store.db, T);
      const expected = calculate({
        plans: inputs.plans,
        data: inputs.data,
        periodId: '2026-Q1',
        asOf: '2026-10-01',
      }).payees.filter((p) => sellers.includes(p.payeeId));
      const published = await readPublishedResults(store.db, T, { periodId: '2026-Q1', payeeIds: sellers });
      expect(published).toEqual(
        JSON.parse(JSON.stringify(expected)).sort((a: { payeeId: string }, b: { payeeId: string }) =>
          a.payeeId.localeCompare(b.payeeId),
        ),
      );
      console.log(
        `burst: 1000 requests for 10 partitions → ${runs.length} runs over 2 processes, no overlap, final data published`,
      );
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await store.close();
      await database.drop();
    }
  }, 240_000);
});

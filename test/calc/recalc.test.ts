import { describe, expect, it } from 'vitest';
import { calculate } from '../../src/engine/index.js';
import {
  domainEngine,
  enqueueRecalc,
  loadCalcInputs,
  partitionsForDealChanges,
  readPublishedResults,
  readTeamAttainment,
  recalculatePartitions,
  recalculateTenant,
  startRecalcWorker,
  type CalcEngine,
} from '../../server/calc/index.js';
import { startQueue } from '../../server/jobs/queue.js';
import { listCalcRuns, upsertDeals, getDeal } from '../../server/store/index.js';
import { verifyAuditChain } from '../../server/audit/index.js';
import { describeStores } from '../helpers/stores.js';
import { loadReference } from './reference.js';

const T = 'nordlys';
const now = new Date('2026-10-01T06:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function expectedFromStore(db: Parameters<typeof loadCalcInputs>[0], periodId: string) {
  const inputs = await loadCalcInputs(db, T);
  return plain(calculate({ plans: inputs.plans, data: inputs.data, periodId, asOf: '2026-10-01' }));
}

describeStores('recalculation service', (getStore) => {
  it('publishes a full recalculation: the reference Q3 2026 team table', async () => {
    const { db } = getStore();
    await loadReference(db, T);
    const run = await recalculateTenant(db, T, { now, engine: domainEngine, actor: 'test' });
    expect(run.partitions.length).toBeGreaterThanOrEqual(11);
    const { payees, team } = await readTeamAttainment(db, T, { periodId: '2026-Q3' });
    const byId = new Map(payees.map((p) => [p.payeeId, p]));
    expect(byId.get('anna')).toMatchObject({ credited: '1080000', attainment: '1.2' });
    expect(byId.get('bo')).toMatchObject({ credited: '810000', attainment: '0.9' });
    expect(byId.get('camilla')).toMatchObject({ credited: '630000', attainment: '0.7' });
    expect(team).toMatchObject({ quota: '9000000', credited: '8100000', attainment: '0.9' });
    // Published equals what the engine computes from the same inputs, lines and traces included.
    const expected = await expectedFromStore(db, '2026-Q3');
    const withLines = await readPublishedResults(db, T, { periodId: '2026-Q3' });
    expect(withLines).toEqual([...expected.payees].sort((a, b) => a.payeeId.localeCompare(b.payeeId)));
    expect(team).toEqual(expected.team);
    expect(withLines.find((p) => p.payeeId === 'anna')!.lines[0]!.trace.length).toBeGreaterThan(0);
    expect((await listCalcRuns(db, T))[0]).toMatchObject({ status: 'published', kind: 'full', triggeredBy: 'test' });
  });

  it('incremental recalculation of the touched partitions equals a full one', async () => {
    const { db } = getStore();
    const moved = (await getDeal(db, T, 'D-2026-001'))!;
    const q3 = (await loadCalcInputs(db, T)).data.deals.find(
      (d) => d.ownerId === 'bo' && d.closeDate! >= '2026-07-01' && d.closeDate! <= '2026-09-30',
    )!;
    const changes = await upsertDeals(db, T, [
      { ...moved, amount: '700000.55' },
      { ...q3, ownerId: 'camilla' },
    ]);
    expect(changes).toHaveLength(2);
    const touched = await partitionsForDealChanges(db, T, changes, domainEngine);
    expect(touched).toEqual(
      expect.arrayContaining([
        { payeeId: 'anna', year: '2026' },
        { payeeId: 'bo', year: '2026' },
        { payeeId: 'camilla', year: '2026' },
        { payeeId: 'mette', year: '2026' },
      ]),
    );
    expect(touched.some((p) => p.payeeId === 'dorte')).toBe(false);
    await recalculatePartitions(db, T, touched, { now, engine: domainEngine });
    for (const periodId of ['2026', '2026-Q1', '2026-Q2', '2026-Q3']) {
      const expected = await expectedFromStore(db, periodId);
      expect(await readPublishedResults(db, T, { periodId })).toEqual(
        [...expected.payees].sort((a, b) => a.payeeId.localeCompare(b.payeeId)),
      );
    }
    expect((await verifyAuditChain(db, T)).ok).toBe(true);
  });

  it('a full recalculation in small payee batches publishes the same results as one batch', async () => {
    const { db } = getStore();
    const periods = ['2026', '2026-Q3'];
    const oneBatch = await Promise.all(periods.map((periodId) => readPublishedResults(db, T, { periodId })));
    const run = await recalculateTenant(db, T, { now, engine: domainEngine, batchPayees: 2 });
    expect(await Promise.all(periods.map((periodId) => readPublishedResults(db, T, { periodId })))).toEqual(oneBatch);
    expect((await listCalcRuns(db, T))[0]).toMatchObject({ id: run.runId, status: 'published', kind: 'full' });
  });

  it('a run that fails half-way publishes nothing: readers keep the previous results', async () => {
    const { db } = getStore();
    const before = await readPublishedResults(db, T, { periodId: '2026-Q3' });
    const broken: CalcEngine = {
      ...domainEngine,
      calculate(input) {
        const out = domainEngine.calculate(input);
        // Results for every partition, then one line the database refuses (not a number) — after rows were written.
        const last = out.results[out.results.length - 1]!;
        last.lines = [
          ...last.lines,
          { ...last.lines[0]!, id: 'bad', amount: 'not-a-number' } as (typeof last.lines)[number],
        ];
        return out;
      },
    };
    await expect(recalculateTenant(db, T, { now, engine: broken })).rejects.toThrow();
    expect(await readPublishedResults(db, T, { periodId: '2026-Q3' })).toEqual(before);
    const runs = await listCalcRuns(db, T);
    expect(runs[0]).toMatchObject({ status: 'failed' });
    const orphanRows = await db
      .selectFrom('payee_results')
      .select('run_id')
      .where('run_id', '=', runs[0]!.id)
      .execute();
    expect(orphanRows).toEqual([]);
  });

  it('recalculates queued partitions in the background worker', async () => {
    const store = getStore();
    const queue = await startQueue(store, { pollingIntervalSeconds: 0.5 });
    await startRecalcWorker(queue, store.db, { engine: domainEngine, clock: () => now });
    const deal = (await getDeal(store.db, T, 'D-2026-001'))!;
    const changes = await upsertDeals(store.db, T, [{ ...deal, amount: '640000' }]);
    const touched = await partitionsForDealChanges(store.db, T, changes, domainEngine);
    const counts = await enqueueRecalc(queue, T, touched);
    expect(counts.queued + counts.coalesced).toBe(touched.length);
    for (let i = 0; i < 600 && (await queue.pending('recalc')) > 0; i++) await sleep(100);
    await queue.stop();
    const expected = await expectedFromStore(store.db, '2026-Q1');
    expect(await readPublishedResults(store.db, T, { periodId: '2026-Q1' })).toEqual(
      [...expected.payees].sort((a, b) => a.payeeId.localeCompare(b.payeeId)),
    );
  }, 120_000);
});

describe('periods', () => {
  it('publishes the year and its quarters, and months only for plans that measure monthly', async () => {
    const { periodIdsOfYear, statementPeriodKinds } = await import('../../server/calc/recalculate.js');
    const { plan } = (await import('./reference.js')).referenceScenario();
    expect(periodIdsOfYear('2026', { fiscalYearStartMonth: 1 }, statementPeriodKinds([plan]))).toEqual([
      '2026',
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
    const monthly = {
      ...plan,
      versions: plan.versions.map((v) => ({
        ...v,
        components: v.components.map((c) => ({ ...c, period: 'month' as const })),
      })),
    };
    expect(periodIdsOfYear('2026', { fiscalYearStartMonth: 1 }, statementPeriodKinds([monthly]))).toHaveLength(17);
  });
});

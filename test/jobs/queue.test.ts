import { describe, expect, it } from 'vitest';
import { partitionKey, startQueue, type Partition } from '../../server/jobs/queue.js';
import { tryTakeLease } from '../../server/jobs/cron.js';
import { describeStores } from '../helpers/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeStores('job queue', (getStore) => {
  it('coalesces bursts per partition, never runs a partition twice at once, loses nothing, and stops gracefully', async () => {
    const store = getStore();
    const queue = await startQueue(store, { pollingIntervalSeconds: 0.5, batchSize: 10 });
    const running = new Set<string>();
    const runs: Array<{ key: string; start: number; end: number }> = [];
    let overlaps = 0;
    await queue.work('recalc', async (partitions) => {
      for (const p of partitions) {
        const key = partitionKey(p);
        if (running.has(key)) overlaps++;
        running.add(key);
      }
      const start = performance.now();
      await sleep(30);
      for (const p of partitions) {
        running.delete(partitionKey(p));
        runs.push({ key: partitionKey(p), start, end: performance.now() });
      }
    });
    const partitions: Partition[] = Array.from({ length: 10 }, (_, i) => ({
      tenantId: 'acme',
      payeeId: `p${i}`,
      year: '2026',
    }));
    const lastRequest = new Map<string, number>();
    let coalesced = 0;
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 100; i++) {
        const p = partitions[i % 10]!;
        lastRequest.set(partitionKey(p), performance.now());
        if ((await queue.enqueue('recalc', p)) === 'coalesced') coalesced++;
      }
      await sleep(50);
    }
    for (let i = 0; i < 600 && (await queue.pending('recalc')) > 0; i++) await sleep(100);
    expect(await queue.pending('recalc')).toBe(0);
    expect(overlaps).toBe(0);
    for (const [key, at] of lastRequest) expect(runs.some((r) => r.key === key && r.start > at)).toBe(true);
    expect(coalesced).toBeGreaterThan(500);

    // Graceful stop lets the running handler finish.
    let finished = false;
    await queue.work('writeback', async () => {
      await sleep(300);
      finished = true;
    });
    await queue.enqueue('writeback', partitions[0]!);
    for (let i = 0; i < 600 && (await queue.boss.getQueueSize('writeback')) > 0; i++) await sleep(50);
    await queue.stop(5000);
    expect(finished).toBe(true);
  }, 120_000);

  it('gives a cron slot lease to one holder only; the next slot is a new election', async () => {
    const { db } = getStore();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((h) => tryTakeLease(db, 'nightly:2026-12-04T02:00:00.000Z', h, 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await tryTakeLease(db, 'nightly:2026-12-05T02:00:00.000Z', 'b', 60_000)).toBe(true);
  });
});

describe('partition keys', () => {
  it('are unambiguous', () => {
    expect(partitionKey({ tenantId: 'a/b', payeeId: 'c', year: '2026' })).not.toBe(
      partitionKey({ tenantId: 'a', payeeId: 'b/c', year: '2026' }),
    );
  });
});

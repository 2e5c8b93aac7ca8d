import { fork, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueue } from '../../server/jobs/queue.js';
import { openStore, type Store } from '../../server/store/index.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/stores.js';

/** Two server processes (children, not workers) against one PostgreSQL database. */

const childPath = new URL('./jobs-child.ts', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnChild(args: string[]): Promise<ChildProcess> {
  const child = fork(childPath, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(100);
  }
}

describe.skipIf(!testDatabaseUrl)('two server processes on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: Store;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('attain_jobs');
    store = await openStore({ databaseUrl: database.url, poolSize: 3 });
    await sql`CREATE TABLE cron_runs (id serial PRIMARY KEY, slot text NOT NULL, pid integer NOT NULL, started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)`.execute(
      store.db,
    );
    await sql`CREATE TABLE job_runs (id serial PRIMARY KEY, partition text NOT NULL, pid integer NOT NULL, started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)`.execute(
      store.db,
    );
    await sql`CREATE TABLE job_requests (id serial PRIMARY KEY, partition text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`.execute(
      store.db,
    );
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store?.close();
    await database?.drop();
  });

  it('runs each cron tick exactly once, also when one process is killed mid-run', async () => {
    const a = await spawnChild(['cron', database.url, '400']);
    const b = await spawnChild(['cron', database.url, '400']);
    children.push(a, b);
    await sleep(2500);
    // Kill A while it is inside a run.
    await waitFor(
      async () =>
        (await sql`SELECT 1 FROM cron_runs WHERE pid = ${a.pid} AND finished_at IS NULL`.execute(store.db)).rows
          .length > 0,
      60_000,
    );
    a.kill('SIGKILL');
    const killedAt = (
      await sql<{ slot: string }>`SELECT slot FROM cron_runs WHERE pid = ${a.pid} AND finished_at IS NULL`.execute(
        store.db,
      )
    ).rows[0]!.slot;
    await exited(a);
    await sleep(2500);
    b.kill('SIGTERM');
    expect(await exited(b)).toBe(0);

    const runs = (
      await sql<{
        slot: string;
        pid: number;
        finished: boolean;
      }>`SELECT slot, pid, finished_at IS NOT NULL AS finished FROM cron_runs ORDER BY slot`.execute(store.db)
    ).rows;
    const perSlot = new Map<string, number>();
    for (const r of runs) perSlot.set(r.slot, (perSlot.get(r.slot) ?? 0) + 1);
    expect([...perSlot.values()].every((n) => n === 1)).toBe(true);
    // The tick A died in ran once (unfinished) and was not run again; later ticks were B's.
    expect(runs.filter((r) => r.slot === killedAt)).toEqual([{ slot: killedAt, pid: a.pid, finished: false }]);
    expect(runs.filter((r) => r.slot > killedAt).length).toBeGreaterThanOrEqual(1);
    expect(runs.filter((r) => r.slot > killedAt).every((r) => r.pid === b.pid)).toBe(true);
    expect(new Set(runs.filter((r) => r.slot < killedAt).map((r) => r.pid)).size).toBeGreaterThanOrEqual(1);
    console.log(`cron: ${runs.length} ticks, each run once; A (pid ${a.pid}) killed during ${killedAt}`);
  }, 120_000);

  it('coalesces a burst of 1,000 recalculation requests for 10 payees: every partition recalculated after its last request, never twice at once', async () => {
    const producer = await startQueue(store, {});
    const a = await spawnChild(['queue', database.url, '60']);
    const b = await spawnChild(['queue', database.url, '60']);
    children.push(a, b);
    const partitions = Array.from({ length: 10 }, (_, i) => ({ tenantId: 'acme', payeeId: `p${i}`, year: '2026' }));
    const outcomes = { queued: 0, coalesced: 0 };
    for (let wave = 0; wave < 10; wave++) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const p = partitions[i % 10]!;
          await sql`INSERT INTO job_requests (partition) VALUES (${`${p.tenantId}/${p.payeeId}/${p.year}`})`.execute(
            store.db,
          );
          outcomes[await producer.enqueue('recalc', p)]++;
        }),
      );
      await sleep(80);
    }
    await waitFor(async () => (await producer.pending('recalc')) === 0, 90_000);
    await producer.stop();
    a.kill('SIGTERM');
    b.kill('SIGTERM');
    expect(await exited(a)).toBe(0);
    expect(await exited(b)).toBe(0);

    const runs = (
      await sql<{
        partition: string;
        pid: number;
        started_at: Date;
        finished_at: Date | null;
      }>`SELECT partition, pid, started_at, finished_at FROM job_runs ORDER BY partition, started_at`.execute(store.db)
    ).rows;
    const lastRequest = new Map(
      (
        await sql<{
          partition: string;
          at: Date;
        }>`SELECT partition, max(at) AS at FROM job_requests GROUP BY partition`.execute(store.db)
      ).rows.map((r) => [r.partition, r.at]),
    );
    expect(lastRequest.size).toBe(10);
    for (const [partition, requestedAt] of lastRequest) {
      const own = runs.filter((r) => r.partition === partition);
      // Nothing lost: a run started after the partition's last request was stored.
      expect(own.some((r) => r.started_at > requestedAt)).toBe(true);
      // Never twice at once: each run starts after the previous one finished.
      for (let i = 1; i < own.length; i++) expect(own[i]!.started_at >= own[i - 1]!.finished_at!).toBe(true);
    }
    expect(outcomes.queued + outcomes.coalesced).toBe(1000);
    expect(runs.length).toBeLessThan(1000);
    expect(new Set(runs.map((r) => r.pid)).size).toBe(2);
    console.log(
      `queue: 1000 requests → ${outcomes.queued} queued, ${outcomes.coalesced} coalesced, ${runs.length} partition runs over 2 processes`,
    );
  }, 120_000);
});

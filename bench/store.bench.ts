/**
 * Store benchmark: loads a tenant of BENCH_STORE_PAYEES payees (default 1,000) and BENCH_STORE_DEALS deals
 * (default 1,000,000; fiscal year 2026, 10 % with a two-way split) straight through the repositories
 * (`upsertPayees`, `upsertQuotas`, then `upsertDeals` with 100,000 deals per transaction, 20,000 per statement), then reads one partition's deals back and runs
 * the echo-suppression path (re-upserting unchanged deals). BENCH_DATABASE_URL runs it on PostgreSQL.
 *
 * Figures: store_repo_load_seconds, store_repo_deals_per_second, store_repo_unchanged_upsert_seconds (10,000
 * unchanged deals: nothing written, nothing reported), store_repo_partition_read_ms (one payee's deals),
 * store_repo_backend, store_repo_rss_mb.
 *
 * BENCH_STORE_RECALC=1 then assigns the reference plan (examples/reference-scenario) to every payee and runs one
 * full recalculation with the real engine (payee batches, atomic publication): store_recalc_seconds,
 * store_recalc_results, store_recalc_payout_lines, store_recalc_peak_rss_mb (sampled every 250 ms during it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deal, Payee, Quota } from '../src/data/index.js';
import { parsePlan } from '../src/plan/index.js';
import { domainEngine, recalculateTenant } from '../server/calc/index.js';
import {
  listDeals,
  openStore,
  savePlanRevision,
  upsertAssignments,
  upsertDeals,
  upsertPayees,
  upsertQuotas,
  upsertTenant,
  type Store,
} from '../server/store/index.js';
import { seededRandom } from '../server/sandbox/seeded-random.js';

const PAYEES = Number(process.env.BENCH_STORE_PAYEES ?? 1_000);
const DEALS = Number(process.env.BENCH_STORE_DEALS ?? 1_000_000);
const CHUNK = 100_000;
const TENANT = 'bench';

const rng = seededRandom;

function dealAt(i: number, random: () => number): Deal {
  const owner = `p${i % PAYEES}`;
  const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
  const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
  const deal: Deal = {
    id: `d${i}`,
    ownerId: owner,
    amount: `${1000 + Math.floor(random() * 200_000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`,
    currency: 'DKK',
    status: 'won',
    closeDate: `2026-${month}-${day}`,
  };
  if (i % 10 === 0) {
    deal.splits = [
      { payeeId: owner, share: '0.6', type: 'revenue' },
      { payeeId: `p${(i + 1) % PAYEES}`, share: '0.4', type: 'revenue' },
    ];
  }
  return deal;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** One full recalculation of the loaded tenant under the reference plan, with its peak RSS. */
async function recalculate(store: Store, payees: readonly Payee[]): Promise<Record<string, unknown>> {
  const parsed = parsePlan(
    JSON.parse(readFileSync(new URL('../examples/reference-scenario/plan.json', import.meta.url), 'utf8')),
  );
  if (!parsed.ok) throw new Error('reference plan invalid');
  await savePlanRevision(store.db, TENANT, parsed.plan, 'bench');
  await upsertAssignments(
    store.db,
    TENANT,
    payees.map((p) => ({ payeeId: p.id, planId: parsed.plan.id, from: '2026-01-01' })),
  );
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const t = performance.now();
  try {
    const run = await recalculateTenant(store.db, TENANT, {
      now: new Date('2026-12-31T12:00:00Z'),
      actor: 'bench',
      engine: domainEngine,
    });
    const took = seconds(t);
    const lines = await store.db
      .selectFrom('payout_lines')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', TENANT)
      .where('run_id', '=', run.runId)
      .executeTakeFirstOrThrow();
    return {
      store_recalc_seconds: Math.round(took * 10) / 10,
      store_recalc_results: run.results,
      store_recalc_payout_lines: Number(lines.n),
      store_recalc_peak_rss_mb: Math.round(peak / 1e6),
    };
  } finally {
    clearInterval(sampler);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'attain-store-bench-'));
  const store = await openStore(
    process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: join(root, 'data') },
  );
  try {
    const t0 = performance.now();
    await upsertTenant(store.db, { id: TENANT, name: 'Benchmark', currency: 'DKK', fiscalYearStartMonth: 1 });
    const payees: Payee[] = Array.from({ length: PAYEES }, (_, i) => ({
      id: `p${i}`,
      name: `Payee ${i}`,
      managerId: i < 10 ? null : `p${i % 10}`,
      teamId: null,
    }));
    await upsertPayees(store.db, TENANT, payees);
    const quotas: Quota[] = payees.flatMap((p) =>
      ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'].map((periodId) => ({ payeeId: p.id, periodId, amount: '900000' })),
    );
    await upsertQuotas(store.db, TENANT, quotas);
    const random = rng(42);
    for (let start = 0; start < DEALS; start += CHUNK) {
      const chunk = Array.from({ length: Math.min(CHUNK, DEALS - start) }, (_, k) => dealAt(start + k, random));
      await store.db.transaction().execute((trx) => upsertDeals(trx, TENANT, chunk));
    }
    const load = seconds(t0);

    const again = rng(42);
    const sample = Array.from({ length: Math.min(10_000, DEALS) }, (_, i) => dealAt(i, again));
    const t1 = performance.now();
    const changes = await upsertDeals(store.db, TENANT, sample);
    const unchanged = seconds(t1);
    if (changes.length !== 0) throw new Error(`re-upserting unchanged deals reported ${changes.length} changes`);

    const t2 = performance.now();
    const own = await listDeals(store.db, TENANT, { payeeIds: ['p123'], from: '2026-01-01', to: '2026-12-31' });
    const readMs = performance.now() - t2;
    if (own.length === 0) throw new Error('partition read returned no deals');

    const recalc = process.env.BENCH_STORE_RECALC === '1' ? await recalculate(store, payees) : {};

    return {
      ...recalc,
      store_repo_backend: store.kind,
      store_repo_payees: PAYEES,
      store_repo_deals: DEALS,
      store_repo_load_seconds: Math.round(load * 100) / 100,
      store_repo_deals_per_second: Math.round(DEALS / load),
      store_repo_unchanged_upsert_seconds: Math.round(unchanged * 100) / 100,
      store_repo_partition_read_ms: Math.round(readMs),
      store_repo_partition_deals: own.length,
      store_repo_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
    };
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

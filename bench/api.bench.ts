/**
 * API benchmark: a tenant with 1,000 payees and 1,000,000 deals (fiscal year 2026), loaded through the import
 * path (zod validation, reference checks, bulk upserts in one transaction) and calculated, then the payee
 * summary endpoint (`GET /api/v1/payees/:id/summary?period=2026-Q3`, lines and traces) under a FIXED request
 * rate from autocannon over loopback for a bounded time, payees drawn at random.
 *
 * Figures: store_load_seconds (import of the whole tenant), api_calc_seconds (full recalculation and
 * publication), api_summary_p95_ms (95th percentile of response time, from every response), api_summary_rps
 * (completed requests per second at the target rate), api_summary_max_rps / api_summary_max_p95_ms (a short
 * unthrottled run: the capacity the fixed rate should stay under), api_summary_non_2xx, api_rss_mb.
 * BENCH_API_DEALS / BENCH_API_PAYEES / BENCH_API_RATE / BENCH_API_SECONDS shrink or stretch it;
 * BENCH_DATABASE_URL (a PostgreSQL server URL) runs it in a scratch database there instead of the embedded PGlite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedRateLoad, type LoadFigures } from './fixed-rate-load.js';
import pg from 'pg';
import type { Deal, Payee, Quota, Team } from '../src/data/index.js';
import { createApp, type RecalcPort } from '../server/app.js';
import { createLogger } from '../server/log.js';
import { applyImport } from '../server/import/apply.js';
import { parseJsonImport } from '../server/import/parse.js';
import { createApiToken, openStore, savePlanRevision, upsertTenant, type Store } from '../server/store/index.js';
import { domainEngine } from '../server/calc/engine.js';
import { recalculateTenant } from '../server/calc/index.js';
import { TenantRecalcRunner } from '../server/recalc-runner.js';
import { parsePlan } from '../src/plan/index.js';
import { seededRandom } from '../server/sandbox/seeded-random.js';

const PAYEES = Number(process.env.BENCH_API_PAYEES ?? 1_000);
const DEALS = Number(process.env.BENCH_API_DEALS ?? 1_000_000);
const RATE = Number(process.env.BENCH_API_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 15);
const TENANT = 'bench';
const CHUNK = 50_000;

const rng = seededRandom;

const payeeId = (i: number) => `p${String(i).padStart(4, '0')}`;

function organisation(): { teams: Team[]; payees: Payee[]; quotas: Quota[] } {
  const teamCount = Math.max(1, Math.ceil(PAYEES / 100));
  const teams: Team[] = [];
  const payees: Payee[] = [];
  for (let t = 0; t < teamCount; t++)
    teams.push({ id: `team-${t}`, name: `Team ${t}`, managerId: payeeId(t * 100), parentTeamId: null });
  for (let i = 0; i < PAYEES; i++) {
    const team = Math.floor(i / 100);
    const lead = team * 100;
    payees.push({
      id: payeeId(i),
      name: `Seller ${i}`,
      managerId: i === lead ? null : payeeId(lead),
      teamId: `team-${team}`,
    });
  }
  const quotas: Quota[] = payees.flatMap((p) =>
    [1, 2, 3, 4].map((q) => ({ payeeId: p.id, periodId: `2026-Q${q}`, amount: '900000' })),
  );
  return { teams, payees, quotas };
}

function dealsChunk(from: number, to: number, random: () => number): unknown[] {
  const deals: unknown[] = [];
  for (let i = from; i < to; i++) {
    const owner = payeeId(Math.floor(random() * PAYEES));
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const won = random() < 0.7;
    // Whole kroner and øre as text: amounts never pass through a float.
    const kroner = 1_000 + Math.floor(random() * 30_000);
    const ore = Math.floor(random() * 100);
    deals.push({
      id: `d${i}`,
      name: `Deal ${i}`,
      ownerId: owner,
      amount: `${kroner}.${String(ore).padStart(2, '0')}`,
      currency: 'DKK',
      status: won ? 'won' : 'open',
      closeDate: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      ...(random() < 0.2
        ? {
            splits: [
              { payeeId: owner, share: '0.5' },
              { payeeId: payeeId(Math.floor(random() * PAYEES)), share: '0.5' },
            ],
          }
        : {}),
    });
  }
  return deals;
}

async function loadTenant(store: Store): Promise<number> {
  const plan = parsePlan(
    JSON.parse(readFileSync(new URL('../examples/reference-scenario/plan.json', import.meta.url), 'utf8')),
  );
  if (!plan.ok) throw new Error('reference plan invalid');
  await upsertTenant(store.db, { id: TENANT, name: 'Benchmark', currency: 'DKK', fiscalYearStartMonth: 1 });
  await savePlanRevision(store.db, TENANT, plan.plan, 'bench');
  const random = rng(20260705);
  const started = performance.now();
  await store.db.transaction().execute(async (trx) => {
    const org = parseJsonImport(organisation());
    if (!org.ok) throw new Error(JSON.stringify(org.errors));
    const applied = await applyImport(trx, TENANT, org.batch, org.locate);
    if (!applied.ok) throw new Error(JSON.stringify(applied.errors));
    for (let from = 0; from < DEALS; from += CHUNK) {
      const parsed = parseJsonImport({ deals: dealsChunk(from, Math.min(DEALS, from + CHUNK), random) as Deal[] });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const r = await applyImport(trx, TENANT, parsed.batch, parsed.locate);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
    }
  });
  return (performance.now() - started) / 1000;
}

/** One full recalculation of the tenant (real engine, atomic publication), timed; the runner serves the API afterwards. */
async function calculateTenant(store: Store): Promise<{ calcSeconds: number; recalc: RecalcPort }> {
  const started = performance.now();
  await recalculateTenant(store.db, TENANT, {
    now: new Date('2026-10-05T00:00:00Z'),
    actor: 'bench',
    engine: domainEngine,
  });
  const calcSeconds = (performance.now() - started) / 1000;
  const recalc = new TenantRecalcRunner(async (tenantId, actor, onStarted) => {
    const r = await recalculateTenant(store.db, tenantId, { now: new Date(), actor, engine: domainEngine });
    onStarted(r.runId);
  }, createLogger('silent'));
  return { calcSeconds, recalc };
}

/** `rate` requests per second for `seconds` (undefined rate: as fast as 16 connections go). */
async function hammer(url: string, token: string, rate: number | undefined, seconds: number): Promise<LoadFigures> {
  const random = rng(7);
  return fixedRateLoad({
    url,
    connections: 16,
    rate,
    seconds,
    headers: { authorization: `Bearer ${token}` },
    next: () => ({ path: `/api/v1/payees/${payeeId(Math.floor(random() * PAYEES))}/summary?period=2026-Q3` }),
  });
}

/** A fresh database on the BENCH_DATABASE_URL server, dropped afterwards, so every run loads into an empty store. */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `attain_api_bench_${process.pid}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}"`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function run(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'attain-api-bench-'));
  const scratch = process.env.BENCH_DATABASE_URL ? await scratchDatabase(process.env.BENCH_DATABASE_URL) : null;
  const store = await openStore(scratch ? { databaseUrl: scratch.url } : { dataDir: join(root, 'data') });
  try {
    const storeLoadSeconds = await loadTenant(store);
    const { calcSeconds, recalc } = await calculateTenant(store);
    const { app } = createApp({ store, logger: createLogger('silent'), now: () => new Date(), recalc });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { token } = await createApiToken(store.db, TENANT, { name: 'bench', role: 'admin' });
    const probe = await fetch(`${url}/api/v1/payees/${payeeId(1)}/summary?period=2026-Q3`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const sample = (await probe.json()) as { result: { lines: unknown[] } | null };
    if (!probe.ok || !sample.result)
      throw new Error(`summary probe failed: ${probe.status} ${JSON.stringify(sample).slice(0, 300)}`);
    const load = await hammer(url, token, RATE, SECONDS);
    const flat = await hammer(url, token, undefined, Math.min(10, SECONDS));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return {
      api_bench_payees: PAYEES,
      api_bench_deals: DEALS,
      api_bench_store: store.kind,
      store_load_seconds: Number(storeLoadSeconds.toFixed(2)),
      api_calc_seconds: Number(calcSeconds.toFixed(2)),
      api_summary_target_rps: RATE,
      api_summary_seconds: SECONDS,
      api_summary_lines_per_response: sample.result.lines.length,
      api_summary_p50_ms: load.p50,
      api_summary_p95_ms: load.p95,
      api_summary_rps: Number(load.rps.toFixed(1)),
      api_summary_non_2xx: load.non2xx + flat.non2xx,
      api_summary_max_rps: Number(flat.rps.toFixed(1)),
      api_summary_max_p95_ms: flat.p95,
      api_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
    };
  } finally {
    await store.close();
    await scratch?.drop();
    rmSync(root, { recursive: true, force: true });
  }
}

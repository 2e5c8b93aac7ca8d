/**
 * Deal card benchmark: a tenant with 1,000 payees (10 teams of 100) and 1,000,000 deals in fiscal 2026, results
 * published by a full recalculation, then `GET /hubspot/cards/deals/:id` — HubSpot-signed (v3) exactly as the
 * proxy signs it, as the deal owner's HubSpot user — under a FIXED request rate from autocannon over loopback.
 * Every request runs the engine's estimate over the owner's partition data read from the store.
 *
 * Three fixed-rate phases against one server process: cold (random deals of every seller, caches empty at the
 * start), warm (random deals of BENCH_CARD_WARM_SELLERS sellers who have each opened one card before, so their
 * partition inputs are cached but most deals are new to the engine) and repeat (BENCH_CARD_REPEAT_DEALS deals
 * viewed again). Figures: deal_card_p95_ms / deal_card_p50_ms (cold; goal p95 ≤ 50 ms), deal_card_warm_*,
 * deal_card_repeat_*, each with the 1-minute load average when the phase ended, plus the set-up times. BENCH_CARD_DEALS / BENCH_CARD_PAYEES / BENCH_CARD_RATE / BENCH_CARD_SECONDS shrink or stretch it;
 * BENCH_CARD_RECALC=1 publishes results first (a full recalculation); BENCH_DATABASE_URL runs it on PostgreSQL
 * instead of the embedded PGlite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedRateLoad, type LoadFigures } from './fixed-rate-load.js';
import type { Deal, Payee, Quota, Team } from '../src/data/index.js';
import { parsePlan } from '../src/plan/index.js';
import { createApp, type RecalcPort } from '../server/app.js';
import { signV3 } from '../server/auth/hubspot-signature.js';
import { domainEngine } from '../server/calc/engine.js';
import { recalculateTenant } from '../server/calc/index.js';
import { createLogger } from '../server/log.js';
import { createTokenCipher } from '../server/security/token-cipher.js';
import {
  openStore,
  saveCrmConnection,
  savePlanRevision,
  upsertDeals,
  upsertPayees,
  upsertQuotas,
  upsertTeams,
  upsertTenant,
  type Store,
} from '../server/store/index.js';
import { seededRandom } from '../server/sandbox/seeded-random.js';

const PAYEES = Number(process.env.BENCH_CARD_PAYEES ?? 1_000);
const DEALS = Number(process.env.BENCH_CARD_DEALS ?? 1_000_000);
const RATE = Number(process.env.BENCH_CARD_RATE ?? 2);
const SECONDS = Number(process.env.BENCH_CARD_SECONDS ?? 20);
const CALC = process.env.BENCH_CARD_RECALC === '1';
const WARM_SELLERS = Number(process.env.BENCH_CARD_WARM_SELLERS ?? 100);
const REPEAT_DEALS = Number(process.env.BENCH_CARD_REPEAT_DEALS ?? 200);
const TENANT = 'bench-cards';
const PORTAL = '424242';
const APP_ID = '4242';
const SECRET = 'bench-client-secret';
const ORIGIN = 'https://api.attain.example';
const CHUNK = 20_000;

const rng = seededRandom;

const payeeId = (i: number) => `p${String(i).padStart(4, '0')}`;
const hubspotUser = (i: number) => String(100_000 + i);

function organisation(): { teams: Team[]; payees: Payee[]; quotas: Quota[] } {
  const teams: Team[] = [];
  const payees: Payee[] = [];
  const teamCount = Math.max(1, Math.ceil(PAYEES / 100));
  for (let t = 0; t < teamCount; t++)
    teams.push({ id: `team-${t}`, name: `Team ${t}`, managerId: payeeId(t * 100), parentTeamId: null });
  for (let i = 0; i < PAYEES; i++) {
    const lead = Math.floor(i / 100) * 100;
    payees.push({
      id: payeeId(i),
      name: `Seller ${i}`,
      managerId: i === lead ? null : payeeId(lead),
      teamId: `team-${Math.floor(i / 100)}`,
      crm: { hubspotOwnerId: String(i), hubspotUserId: hubspotUser(i) },
    });
  }
  const quotas = payees.flatMap((p) =>
    [1, 2, 3, 4].map((q) => ({ payeeId: p.id, periodId: `2026-Q${q}`, amount: '900000' })),
  );
  return { teams, payees, quotas };
}

/** Sellers own the deals (team leads only manage), so every request is a seller looking at their own deal. */
function ownerOf(random: () => number): number {
  for (;;) {
    const i = Math.floor(random() * PAYEES);
    if (i % 100 !== 0 || PAYEES <= 1) return i;
  }
}

async function loadTenant(store: Store, owners: Uint16Array): Promise<number> {
  const plan = parsePlan(
    JSON.parse(readFileSync(new URL('../examples/reference-scenario/plan.json', import.meta.url), 'utf8')),
  );
  if (!plan.ok) throw new Error('reference plan invalid');
  const started = performance.now();
  const db = store.db;
  await upsertTenant(db, { id: TENANT, name: 'Benchmark', currency: 'DKK', fiscalYearStartMonth: 1 });
  await savePlanRevision(db, TENANT, plan.plan, 'bench');
  const org = organisation();
  await upsertTeams(db, TENANT, org.teams);
  await upsertPayees(db, TENANT, org.payees);
  await upsertQuotas(db, TENANT, org.quotas);
  await saveCrmConnection(
    db,
    createTokenCipher(Buffer.alloc(32, 1)),
    TENANT,
    {
      provider: 'hubspot',
      accountId: PORTAL,
      instanceUrl: null,
      accessToken: 'x',
      refreshToken: null,
      expiresAt: null,
      scopes: [],
      status: 'connected',
    },
    new Date(),
  );
  const random = rng(20260915);
  for (let from = 0; from < DEALS; from += CHUNK) {
    const deals: Deal[] = [];
    for (let i = from; i < Math.min(DEALS, from + CHUNK); i++) {
      const owner = ownerOf(random);
      owners[i] = owner;
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * 28);
      const kroner = 1_000 + Math.floor(random() * 30_000);
      const ore = Math.floor(random() * 100);
      deals.push({
        id: `d${i}`,
        name: `Deal ${i}`,
        ownerId: payeeId(owner),
        amount: `${kroner}.${String(ore).padStart(2, '0')}`,
        currency: 'DKK',
        status: random() < 0.7 ? 'won' : 'open',
        closeDate: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      });
    }
    await upsertDeals(db, TENANT, deals);
  }
  return (performance.now() - started) / 1000;
}

/** What HubSpot's proxy sends: our path, its identity parameters appended, signed with the app secret. */
function signedRequest(dealIndex: number, owner: number): { path: string; headers: Record<string, string> } {
  const path = `/hubspot/cards/deals/d${dealIndex}?locale=da-DK&appId=${APP_ID}&portalId=${PORTAL}&userId=${hubspotUser(owner)}`;
  const timestamp = String(Date.now());
  const signature = signV3(SECRET, { method: 'GET', uri: ORIGIN + path, rawBody: '', timestamp });
  return { path, headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp } };
}

type Phase = LoadFigures & { load: number };

/** Fixed-rate load over the deals `pick` chooses; also the 1-minute load average when it ended. */
async function hammer(url: string, owners: Uint16Array, pick: () => number): Promise<Phase> {
  const figures = await fixedRateLoad({
    url,
    connections: 8,
    rate: RATE,
    seconds: SECONDS,
    next: () => {
      const i = pick();
      return signedRequest(i, owners[i]!);
    },
  });
  return { ...figures, load: Number(loadavg()[0]!.toFixed(2)) };
}

async function view(url: string, dealIndex: number, owner: number): Promise<void> {
  const s = signedRequest(dealIndex, owner);
  const res = await fetch(url + s.path, { headers: s.headers });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`deal card warm-up failed: ${res.status}`);
}

const noRecalc: RecalcPort = {
  request: () => Promise.reject(new Error('the deal card benchmark never recalculates')),
};

export async function run(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'attain-card-bench-'));
  const store = await openStore(
    process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: join(root, 'data') },
  );
  try {
    const owners = new Uint16Array(DEALS);
    const loadSeconds = await loadTenant(store, owners);
    // Publishing results only feeds the card's "calculated … ago" line (one indexed lookup per request); the full
    // recalculation of a million deals takes many minutes, so it is opt-in.
    const calcStarted = performance.now();
    if (CALC)
      await recalculateTenant(store.db, TENANT, {
        now: new Date('2026-09-15T00:00:00Z'),
        actor: 'bench',
        engine: domainEngine,
        years: ['2026'],
      });
    const calcSeconds = CALC ? (performance.now() - calcStarted) / 1000 : null;

    process.env.HUBSPOT_CLIENT_SECRET = SECRET;
    process.env.HUBSPOT_APP_ID = APP_ID;
    const { app } = createApp({
      store,
      logger: createLogger('silent'),
      now: () => new Date(),
      recalc: noRecalc,
      publicBaseUrl: ORIGIN,
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = signedRequest(1, owners[1]!);
    const res = await fetch(url + probe.path, { headers: probe.headers });
    const sample = (await res.json()) as { payees?: Array<{ commission: { formatted: string } }> };
    if (!res.ok || !sample.payees?.length)
      throw new Error(`deal card probe failed: ${res.status} ${JSON.stringify(sample).slice(0, 300)}`);
    // Cold: a fresh process, random deals of every seller (the server's caches hold only what this phase loads).
    const everyone = rng(7);
    const cold = await hammer(url, owners, () => Math.floor(everyone() * DEALS));
    // Warm: WARM_SELLERS sellers have opened a card once (their partition inputs are cached); random deals of theirs,
    // mostly never viewed before, so the engine still runs for each.
    const chosen = new Set<number>();
    const pickSeller = rng(11);
    while (chosen.size < Math.min(WARM_SELLERS, PAYEES - Math.ceil(PAYEES / 100))) chosen.add(ownerOf(pickSeller));
    const theirDeals: number[] = [];
    for (let i = 0; i < DEALS; i++) if (chosen.has(owners[i]!)) theirDeals.push(i);
    const warmStarted = performance.now();
    for (const seller of chosen)
      await view(
        url,
        theirDeals.find((i) => owners[i] === seller)!,
        seller,
      );
    const warmupSeconds = (performance.now() - warmStarted) / 1000;
    const some = rng(13);
    const warm = await hammer(url, owners, () => theirDeals[Math.floor(some() * theirDeals.length)]!);
    // Repeat: the same REPEAT_DEALS deals viewed again and again (a card reopened, a page reloaded).
    const again = rng(17);
    const repeated = theirDeals.slice(0, REPEAT_DEALS);
    for (const i of repeated) await view(url, i, owners[i]!);
    const repeat = await hammer(url, owners, () => repeated[Math.floor(again() * repeated.length)]!);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return {
      deal_card_payees: PAYEES,
      deal_card_deals: DEALS,
      deal_card_store: store.kind,
      deal_card_load_seconds: Number(loadSeconds.toFixed(2)),
      deal_card_calc_seconds:
        calcSeconds === null ? 'skipped (BENCH_CARD_RECALC=1 runs it)' : Number(calcSeconds.toFixed(2)),
      deal_card_target_rps: RATE,
      deal_card_seconds: SECONDS,
      deal_card_p50_ms: cold.p50,
      deal_card_p95_ms: cold.p95,
      deal_card_rps: Number(cold.rps.toFixed(1)),
      deal_card_non_2xx: cold.non2xx,
      deal_card_completed: cold.completed,
      deal_card_loadavg: cold.load,
      deal_card_warm_sellers: chosen.size,
      deal_card_warmup_seconds: Number(warmupSeconds.toFixed(1)),
      deal_card_warm_p50_ms: warm.p50,
      deal_card_warm_p95_ms: warm.p95,
      deal_card_warm_non_2xx: warm.non2xx,
      deal_card_warm_completed: warm.completed,
      deal_card_warm_loadavg: warm.load,
      deal_card_repeat_deals: repeated.length,
      deal_card_repeat_p50_ms: repeat.p50,
      deal_card_repeat_p95_ms: repeat.p95,
      deal_card_repeat_non_2xx: repeat.non2xx,
      deal_card_repeat_completed: repeat.completed,
      deal_card_repeat_loadavg: repeat.load,
      deal_card_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
    };
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Open-deal estimates: the batched `estimateOpenDeals` against one `estimate` per deal, as of 2026-10-15.
 *
 * - reference scenario (examples/reference-scenario: 11 payees, 55 deals, 4 open), every credited payee;
 * - a generated tenant on the reference plan: ESTIMATES_BENCH_PAYEES (default 100: 10 managers with 9 sellers
 *   each; managers earn the plan's team override) × ESTIMATES_BENCH_DEALS (default 10,000) deals closing
 *   2026-01-01 … 2027-06-30, 10 % split 60/40 with a colleague; deals closing before 2026-10-15 are won
 *   (lost one in eight, still open one in twenty: overdue), later ones open. Estimated as the write-back
 *   does it: the owner's share, overdue deals at today, only the current and next quarter ("window"), and
 *   once for every open deal ("all open"). The per-deal `estimate` is timed on a sample and extrapolated.
 *
 * Then the write-back's own path on an embedded store holding the generated tenant: loading the owners' inputs
 * and estimating the window (`openDealEstimates`), a publish whose window moved (every open deal refreshed,
 * written through a recording connector, outbox and written state in the store), and a publish with nothing
 * to do. ESTIMATES_BENCH_STORE=0 skips the store part; ESTIMATES_BENCH_REPEAT (default 3) sets the timed runs.
 *
 * Figures are wall-clock seconds, medians of repeated runs after a warm-up (engine parts); the generator is
 * seeded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DealWrite } from '../server/crm/port.js';
import {
  openStore,
  savePlanRevision,
  upsertDeals,
  upsertPayees,
  upsertQuotas,
  upsertTenant,
} from '../server/store/index.js';
import { creditPeriodRule } from '../server/writeback/deal-results.js';
import {
  DEFAULT_PERIODS_AHEAD,
  estimateWindow,
  listOpenDeals,
  openDealEstimates,
} from '../server/writeback/open-deal-estimates.js';
import { publishDirty } from '../server/writeback/publish.js';
import { dataSetSchema, type DataSet, type Deal } from '../src/data/index.js';
import { estimate } from '../src/engine/index.js';
import type { DealEstimate } from '../src/engine/types.js';
import { estimateOpenDeals } from '../src/index.js';
import { parsePlan, type Plan } from '../src/plan/index.js';
import { seededRandom } from '../server/sandbox/seeded-random.js';

const PAYEES = Number(process.env.ESTIMATES_BENCH_PAYEES ?? 100);
const DEALS = Number(process.env.ESTIMATES_BENCH_DEALS ?? 10_000);
const SAMPLE = Number(process.env.ESTIMATES_BENCH_SAMPLE ?? 40);
/** Timed runs per engine figure (median); 1 for large tenants. */
const REPEAT = Number(process.env.ESTIMATES_BENCH_REPEAT ?? 3);
const AS_OF = '2026-10-15';
const WINDOW_END = '2027-03-31'; // end of the next quarter

const file = (name: string) =>
  JSON.parse(readFileSync(new URL(`../examples/reference-scenario/${name}`, import.meta.url), 'utf8')) as unknown;

function referencePlan(): Plan {
  const parsed = parsePlan(file('plan.json'));
  if (!parsed.ok) throw new Error('reference plan does not parse');
  return parsed.plan;
}

function generated(): DataSet {
  const random = seededRandom(11);
  const payees = Array.from({ length: PAYEES }, (_, i) => {
    const manager = i % 10 === 0;
    return {
      id: `p${i}`,
      name: `Payee ${i}`,
      managerId: manager ? null : `p${i - (i % 10)}`,
      teamId: `t${Math.floor(i / 10)}`,
    };
  });
  const quarters = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4', '2027-Q1', '2027-Q2', '2027-Q3', '2027-Q4'];
  const quotas = payees.flatMap((p) => quarters.map((periodId) => ({ payeeId: p.id, periodId, amount: '900000' })));
  const first = Date.UTC(2026, 0, 1);
  const days = 546; // to 2027-06-30
  const deals = Array.from({ length: DEALS }, (_, i) => {
    const owner = i % PAYEES;
    const closeDate = new Date(first + Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10);
    const r = random();
    const status = closeDate >= AS_OF ? 'open' : r < 0.05 ? 'open' : r < 0.175 ? 'lost' : 'won';
    const amount = `${10_000 + Math.floor(random() * 190_000)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
    const split = random() < 0.1;
    return {
      id: `d${String(i).padStart(7, '0')}`,
      ownerId: `p${owner}`,
      amount,
      currency: 'DKK',
      status,
      closeDate,
      ...(split
        ? {
            splits: [
              { payeeId: `p${owner}`, share: '0.6', type: 'revenue' },
              { payeeId: `p${(owner + 1) % PAYEES}`, share: '0.4', type: 'revenue' },
            ],
          }
        : {}),
    };
  });
  return dataSetSchema.parse({ payees, quotas, deals });
}

function seconds(start: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e6) / 1e3;
}

/** Overdue open deals are estimated as closing today (the write-back's rule). */
function overdue(deals: readonly Deal[]): Map<string, string> {
  return new Map(
    deals.filter((d) => d.status === 'open' && d.closeDate !== null && d.closeDate < AS_OF).map((d) => [d.id, AS_OF]),
  );
}

/** Median wall-clock seconds of `times` runs of `fn` (after one untimed warm-up run when repeating). */
function median(times: number, fn: () => unknown): number {
  if (times > 1) fn();
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = process.hrtime.bigint();
    fn();
    runs.push(seconds(t));
  }
  return runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
}

class RecordingConnector {
  written = 0;
  async checkProperties() {
    return [];
  }
  async writeDealProperties(writes: readonly DealWrite[]) {
    this.written += writes.length;
    return writes.map((w) => ({ dealId: w.dealId, ok: true as const, modifiedAt: null }));
  }
}

/** The write-back's path on a store: load the owners' inputs, estimate the window, and a whole publish that refreshes every open deal. */
async function throughStore(plan: Plan, data: DataSet): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'attain-estimates-bench-'));
  const store = await openStore({ dataDir: join(root, 'data') });
  try {
    const db = store.db;
    const tenantId = 'estimates-bench';
    await upsertTenant(db, { id: tenantId, name: 'Estimates bench', currency: 'DKK', fiscalYearStartMonth: 1 });
    await savePlanRevision(db, tenantId, plan, 'bench');
    await upsertPayees(db, tenantId, data.payees);
    await upsertQuotas(db, tenantId, data.quotas);
    await upsertDeals(db, tenantId, data.deals);
    const now = new Date(`${AS_OF}T09:00:00Z`);
    const rule = creditPeriodRule([plan]);
    const window = estimateWindow(AS_OF, rule, DEFAULT_PERIODS_AHEAD);
    const open = await listOpenDeals(db, tenantId);
    let t = process.hrtime.bigint();
    const estimates = await openDealEstimates(db, tenantId, open, window);
    const estimateSeconds = seconds(t);
    const connector = new RecordingConnector();
    t = process.hrtime.bigint();
    await publishDirty({ db, tenantId, connector, now: () => now });
    const publishSeconds = seconds(t);
    t = process.hrtime.bigint();
    await publishDirty({ db, tenantId, connector, now: () => now });
    const idleSeconds = seconds(t);
    return {
      store_window_estimates: estimates.size,
      store_load_and_estimate_window_s: estimateSeconds,
      store_publish_refreshing_every_open_deal_s: publishSeconds,
      store_publish_deals_written: connector.written,
      store_publish_nothing_changed_s: idleSeconds,
    };
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const plan = referencePlan();
  const reference = dataSetSchema.parse(file('data.json'));
  const refInput = { plans: plan, data: reference, periodId: '2026-Q4', asOf: AS_OF };
  const refOpen = [...estimateOpenDeals(refInput).estimates.keys()];
  const referenceBatch = median(21, () => estimateOpenDeals(refInput));
  const referencePerDeal = median(21, () => refOpen.map((id) => estimate(refInput, id)));

  const data = generated();
  const input = { plans: plan, data, periodId: '2026-Q4', asOf: AS_OF, explain: false };
  const closeDates = overdue(data.deals);
  const open = data.deals.filter((d) => d.status === 'open');
  const inWindow = open.filter((d) => (closeDates.get(d.id) ?? d.closeDate!) <= WINDOW_END).map((d) => d.id);

  const windowSeconds = median(REPEAT, () =>
    estimateOpenDeals(input, { dealIds: inWindow, closeDates, payees: 'owner' }),
  );
  const allSeconds = median(REPEAT, () => estimateOpenDeals(input, { closeDates, payees: 'owner' }));
  let everyPayee = new Map<string, DealEstimate>();
  const windowAllPayeesSeconds = median(
    REPEAT,
    () => (everyPayee = estimateOpenDeals(input, { dealIds: inWindow, closeDates }).estimates),
  );
  const prepareSeconds = median(REPEAT, () => estimateOpenDeals(input, { dealIds: [] }));

  const sample = inWindow
    .filter((_, i) => i % Math.max(1, Math.floor(inWindow.length / SAMPLE)) === 0)
    .slice(0, SAMPLE);
  const one = (id: string) => {
    const close = closeDates.get(id);
    return estimate(input, id, close ? { closeDate: close } : undefined);
  };
  one(sample[0]!);
  const t = process.hrtime.bigint();
  for (const id of sample) one(id);
  const perDeal = seconds(t) / sample.length;

  return {
    reference_open_deals: refOpen.length,
    reference_batch_s: referenceBatch,
    reference_per_deal_estimate_total_s: referencePerDeal,
    generated_payees: PAYEES,
    generated_deals: DEALS,
    generated_open_deals: open.length,
    generated_window_deals: inWindow.length,
    generated_prepare_only_s: prepareSeconds,
    generated_window_owner_s: windowSeconds,
    generated_window_every_credited_payee_s: windowAllPayeesSeconds,
    generated_window_every_credited_payee_entries: [...everyPayee.values()].reduce((n, e) => n + e.payees.length, 0),
    generated_all_open_owner_s: allSeconds,
    generated_estimate_per_deal_ms: Math.round(perDeal * 1e4) / 10,
    generated_estimate_per_deal_extrapolated_window_s: Math.round(perDeal * inWindow.length * 10) / 10,
    generated_estimate_per_deal_sample: sample.length,
    ...(process.env.ESTIMATES_BENCH_STORE === '0' ? {} : await throughStore(plan, data)),
    estimates_rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

/**
 * Engine benchmark: 1,000 payees × 1,000,000 deals over fiscal year 2026 (four quarters) on a plan with
 * marginal tiers on attainment, an accelerator above 100 %, a per-period cap, a SPIF and revenue splits.
 *
 * Figures: lines_per_second (payout lines the engine produced ÷ engine seconds), full_year_seconds (all
 * four quarters), float_loop_ratio (engine seconds ÷ a plain float loop computing the same totals: the speed
 * limit exact decimal arithmetic and explanations cost against), rss_mb, and where the time goes.
 * The data generator is seeded, so every run calculates the same deals.
 */
import { getHeapStatistics } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { dataSetSchema, type DataSet, type DataSetInput } from '../src/data/index.js';
import { planSchema, type PlanInput } from '../src/plan/index.js';
import { ZERO, dec, toDecimalString } from '../src/money/index.js';
import { calculateWith, prepare } from '../src/index.js';
import { periodsOfYear } from '../src/time/index.js';
import { seededRandom } from '../server/sandbox/seeded-random.js';

const PAYEES = Number(process.env.BENCH_PAYEES ?? 1_000);
const DEALS = Number(process.env.BENCH_DEALS ?? 1_000_000);
const YEAR = 2026;
const CAL = { fiscalYearStartMonth: 1 };
const SPLIT_SHARE = 0.2; // fifth of the deals are split between two sellers
const SPIF_AMOUNT = 250;
const CAP = 60_000;
const TIERS = [
  { from: 0, to: 0.5, rate: 0.02, multiplier: 1 },
  { from: 0.5, to: 1, rate: 0.04, multiplier: 1 },
  { from: 1, to: Infinity, rate: 0.04, multiplier: 1.5 },
] as const;

export const benchPlan: PlanInput = {
  id: 'bench',
  name: 'Benchmark plan',
  currency: 'DKK',
  versions: [
    {
      id: 'v1',
      effectiveFrom: `${YEAR}-01-01`,
      components: [
        {
          id: 'sales',
          name: 'Won revenue',
          period: 'quarter',
          quota: { source: 'data', per: 'quarter', proration: 'none' },
          rates: {
            application: 'marginal',
            input: 'period',
            axis: 'attainment',
            basis: 'credit',
            tiers: TIERS.map((t) => ({
              from: String(t.from),
              to: t.to === Infinity ? null : String(t.to),
              rate: String(t.rate),
              multiplier: String(t.multiplier),
            })),
          },
          caps: [{ kind: 'perPeriod', amount: String(CAP) }],
        },
      ],
      spifs: [
        {
          id: 'q3-new-logos',
          name: 'Q3 new logos',
          from: `${YEAR}-07-01`,
          to: `${YEAR}-09-30`,
          filter: { dealTypes: ['newbusiness'] },
          payout: { kind: 'perDeal', amount: String(SPIF_AMOUNT) },
        },
      ],
    },
  ],
};

const rng = seededRandom;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Deals of 1,000–9,000 DKK (whole øre), close dates spread over the year, 20 % split 50/50, 60/40 or 70/30. */
export function generateData(payees = PAYEES, deals = DEALS, seed = 20260704): DataSetInput {
  const random = rng(seed);
  const ids = Array.from({ length: payees }, (_, i) => `p${String(i).padStart(4, '0')}`);
  // Quotas around the expected quarterly credit (≈ 1.2M at these sizes), so attainment spreads over every tier and the cap bites.
  const dealsPerQuarter = deals / payees / 4;
  const quotas = ids.flatMap((payeeId) => {
    const quota = Math.round(dealsPerQuarter * 5_000 * (0.75 + random() * 0.6));
    return periodsOfYear(YEAR, 'quarter', CAL).map((p) => ({ payeeId, periodId: p.id, amount: String(quota) }));
  });
  const shares = [
    ['0.5', '0.5'],
    ['0.6', '0.4'],
    ['0.7', '0.3'],
  ] as const;
  const dealList: DataSetInput['deals'] = new Array(deals);
  for (let i = 0; i < deals; i++) {
    const owner = ids[Math.floor(random() * payees)] as string;
    const month = Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * (MONTH_DAYS[month] as number));
    const cents = 100_000 + Math.floor(random() * 800_000);
    const split = random() < SPLIT_SHARE;
    const partner = ids[Math.floor(random() * payees)] as string;
    const share = shares[Math.floor(random() * shares.length)] as readonly [string, string];
    dealList[i] = {
      id: `d${String(i).padStart(7, '0')}`,
      ownerId: owner,
      amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      currency: 'DKK',
      status: 'won',
      closeDate: `${YEAR}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      dealType: random() < 0.3 ? 'newbusiness' : 'existingbusiness',
      ...(split && partner !== owner
        ? {
            splits: [
              { payeeId: owner, share: share[0], type: 'revenue' as const },
              { payeeId: partner, share: share[1], type: 'revenue' as const },
            ],
          }
        : {}),
    };
  }
  return { payees: ids.map((id) => ({ id, name: `Seller ${id}` })), quotas, deals: dealList };
}

/**
 * The same totals with JS numbers: per payee and quarter, each credit (in date order) is split at the tier
 * edges of the cumulative attainment, multiplied, capped on the remainder of the period cap, plus the SPIF.
 * No explanations, no exactness: the speed limit the engine is measured against.
 */
export function floatTotals(data: DataSet): { earnings: number; credited: number; lines: number } {
  const index = new Map(data.payees.map((p, i) => [p.id, i]));
  const slot = (payeeId: string, date: string) => {
    const month = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
    return (index.get(payeeId) as number) * 4 + (((month - 1) / 3) | 0);
  };
  const quota = new Float64Array(data.payees.length * 4);
  for (const q of data.quotas)
    quota[(index.get(q.payeeId) as number) * 4 + Number(q.periodId.slice(-1)) - 1] = Number(q.amount);
  // A split deal's SPIF is shared like its credit (perDeal × share).
  type C = { date: string; amount: number; spif: number };
  const credits: C[][] = Array.from({ length: data.payees.length * 4 }, () => []);
  for (const d of data.deals) {
    if (d.status !== 'won' || d.closeDate === null) continue;
    const amount = Number(d.amount);
    const spif =
      d.dealType === 'newbusiness' && d.closeDate >= `${YEAR}-07-01` && d.closeDate <= `${YEAR}-09-30`
        ? SPIF_AMOUNT
        : 0;
    if (d.splits)
      for (const s of d.splits)
        credits[slot(s.payeeId, d.closeDate)]?.push({
          date: d.closeDate,
          amount: amount * Number(s.share),
          spif: spif * Number(s.share),
        });
    else if (d.ownerId !== null) credits[slot(d.ownerId, d.closeDate)]?.push({ date: d.closeDate, amount, spif });
  }
  let earnings = 0;
  let credited = 0;
  let lines = 0;
  for (const [k, list] of credits.entries()) {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const q = quota[k] as number;
    let cumulative = 0;
    let paid = 0;
    for (const c of list) {
      let pay = 0;
      for (const t of TIERS) {
        const lo = Math.max(cumulative, t.from * q);
        const hi = Math.min(cumulative + c.amount, t.to * q);
        if (hi > lo) pay += (hi - lo) * t.rate * t.multiplier;
      }
      pay = Math.min(pay, Math.max(0, CAP - paid));
      pay = Math.round(pay * 100) / 100;
      paid += pay;
      cumulative += c.amount;
      earnings += pay + c.spif;
      lines += c.spif > 0 ? 2 : 1;
    }
    credited += cumulative;
  }
  return { earnings, credited, lines };
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

/** Generates and validates in one scope, so the unvalidated copy is garbage before the engine starts. */
function loadData(): { data: DataSet; generateSeconds: number; validateSeconds: number } {
  let t = performance.now();
  const raw = generateData();
  const generateSeconds = seconds(t);
  // Every path into the engine validates with zod; measured apart from the engine so each cost is visible.
  t = performance.now();
  const data = dataSetSchema.parse(raw);
  return { data, generateSeconds, validateSeconds: seconds(t) };
}

/** One full-year calculation; returns figures only, so the result can be collected before the next run. */
function fullYear(data: DataSet, explain: boolean) {
  const plan = planSchema.parse(benchPlan);
  const cpu = process.cpuUsage();
  let t = performance.now();
  const ctx = prepare({ plans: [plan], data, explain });
  const creditSeconds = seconds(t);
  t = performance.now();
  const result = calculateWith(ctx, String(YEAR));
  const partitionSeconds = seconds(t);
  const used = process.cpuUsage(cpu);
  let lines = 0;
  let earnings = ZERO;
  for (const p of result.payees) {
    lines += p.lines.length;
    earnings = earnings.plus(dec(p.earnings));
  }
  const cpuSeconds = Math.round((used.user + used.system) / 10_000) / 100;
  const rss = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  // Traces and tier slices are rendered on first read (JSON, API, CLI): what reading every one of them costs.
  const renderCpu = process.cpuUsage();
  let steps = 0;
  if (explain) for (const p of result.payees) for (const l of p.lines) steps += l.trace.length + (l.tiers?.length ?? 0);
  const rendered = process.cpuUsage(renderCpu);
  const renderCpuSeconds = Math.round((rendered.user + rendered.system) / 10_000) / 100;
  return {
    cpuSeconds,
    renderCpuSeconds,
    steps,
    creditSeconds,
    partitionSeconds,
    seconds: Math.round((creditSeconds + partitionSeconds) * 100) / 100,
    lines,
    earnings,
    teamCredited: result.team.credited,
    rss,
  };
}

async function measure(): Promise<Record<string, unknown>> {
  const { data, generateSeconds, validateSeconds } = loadData();
  // The full year: one (payee, fiscal year) partition per payee, every line with its trace and tier slices.
  const full = fullYear(data, true);
  // Optionally the same year without explanations, as a recalculation that needs only totals would run.
  const quiet = process.env.BENCH_NO_EXPLAIN === '1' ? fullYear(data, false) : undefined;

  const t = performance.now();
  const float = floatTotals(data);
  const floatSeconds = (performance.now() - t) / 1000;

  return {
    payees: data.payees.length,
    deals: data.deals.length,
    lines: full.lines,
    lines_per_second: Math.round(full.lines / full.seconds),
    full_year_seconds: full.seconds,
    // CPU time of the process over the same span (includes V8's parallel GC threads): on a busy shared machine
    // wall time also counts waiting for a core, so compare both.
    full_year_cpu_seconds: full.cpuSeconds,
    lines_per_cpu_second: Math.round(full.lines / full.cpuSeconds),
    // Reading every line's trace and tier slices afterwards (as a full JSON export would), in CPU seconds.
    trace_render_cpu_seconds: full.renderCpuSeconds,
    trace_steps_rendered: full.steps,
    ...(quiet
      ? { full_year_seconds_no_explain: quiet.seconds, no_explain_same_earnings: quiet.earnings.equals(full.earnings) }
      : {}),
    float_loop_seconds: Math.round(floatSeconds * 1000) / 1000,
    float_loop_ratio: Math.round((full.seconds / floatSeconds) * 10) / 10,
    // Where the time goes, in seconds: data generation and zod validation (outside the engine), crediting
    // (prepare: checks, splits, FX, sorting), partitions (tiers, caps, SPIFs, traces, statements).
    generate_seconds: generateSeconds,
    validate_seconds: validateSeconds,
    credit_seconds: full.creditSeconds,
    partition_seconds: full.partitionSeconds,
    rss_mb: Math.round(Math.max(full.rss, process.resourceUsage().maxRSS * 1024) / 1048576),
    heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 1048576),
    // Exactness check: the float loop's total drifts from the engine's exact one by rounding alone.
    earnings_total: toDecimalString(full.earnings, 2),
    float_earnings_diff: toDecimalString(full.earnings.minus(dec(Math.round(float.earnings * 100)).dividedBy(100)), 2),
    team_credited: full.teamCredited,
    float_lines: float.lines,
  };
}

/**
 * A year of a million deals with full explanations needs more heap than Node's default (≈ 4 GB), and
 * bench/run.ts starts children without flags: so the measurement runs in one worker thread with a larger
 * old generation (BENCH_HEAP_MB, default 12 GB). It is still one thread: the engine's time on one core.
 */
export async function run(): Promise<Record<string, unknown>> {
  const heapMb = Number(process.env.BENCH_HEAP_MB ?? 12_288);
  return new Promise((resolve, reject) => {
    // Workers do not inherit tsx's loader, so the worker's first act is to register it (a fixed string, not input).
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, {
      eval: true,
      workerData: { engineBench: true },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    worker.once('message', (figures: Record<string, unknown>) => resolve(figures));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`engine benchmark worker exited with code ${code}`));
    });
  });
}

if (!isMainThread && (workerData as { engineBench?: boolean } | null)?.engineBench) {
  parentPort?.postMessage(await measure());
}

/**
 * Engine benchmark: 1,000 payees × 1,000,000 deals over fiscal year 2026 (four quarters) on a plan with
 * marginal tiers on attainment, an accelerator above 100 %, a per-period cap, a SPIF and revenue splits.
 *
 * Figures: lines_per_second (payout lines the engine produced ÷ engine seconds), full_year_seconds (all
 * four quarters), float_loop_ratio (engine seconds ÷ a plain float loop computing the same totals: the speed
 * limit exact decimal arithmetic and explanations cost against), rss_mb, and where the time goes.
 * The data generator is seeded, so every run calculates the same deals.
 */
import { dataSetSchema, type DataSet, type DataSetInput } from '../src/data/index.js';
import { planSchema, type PlanInput } from '../src/plan/index.js';
import { ZERO, dec, toDecimalString } from '../src/money/index.js';
import { calculateWith, prepare } from '../src/index.js';
import { periodsOfYear } from '../src/time/index.js';

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
            tiers: TIERS.map((t) => ({ from: String(t.from), to: t.to === Infinity ? null : String(t.to), rate: String(t.rate), multiplier: String(t.multiplier) })),
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

/** mulberry32: small, fast, seeded; the same seed gives the same data set everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
        ? { splits: [{ payeeId: owner, share: share[0], type: 'revenue' as const }, { payeeId: partner, share: share[1], type: 'revenue' as const }] }
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
  const quota = new Map<string, number>();
  for (const q of data.quotas) quota.set(`${q.payeeId}|${q.periodId}`, Number(q.amount));
  // A split deal's SPIF is shared like its credit (perDeal × share).
  type C = { date: string; amount: number; spif: number };
  const credits = new Map<string, C[]>();
  const push = (payee: string, date: string, amount: number, spif: number) => {
    const key = `${payee}|${YEAR}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;
    const list = credits.get(key);
    if (list) list.push({ date, amount, spif });
    else credits.set(key, [{ date, amount, spif }]);
  };
  for (const d of data.deals) {
    if (d.status !== 'won' || d.closeDate === null) continue;
    const amount = Number(d.amount);
    const spif = d.dealType === 'newbusiness' && d.closeDate >= `${YEAR}-07-01` && d.closeDate <= `${YEAR}-09-30` ? SPIF_AMOUNT : 0;
    if (d.splits) for (const s of d.splits) push(s.payeeId, d.closeDate, amount * Number(s.share), spif * Number(s.share));
    else if (d.ownerId !== null) push(d.ownerId, d.closeDate, amount, spif);
  }
  let earnings = 0;
  let credited = 0;
  let lines = 0;
  for (const [key, list] of credits) {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const q = quota.get(key) ?? 0;
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

export async function run(): Promise<Record<string, unknown>> {
  let t = performance.now();
  const raw = generateData();
  const generateSeconds = seconds(t);

  // Every path into the engine validates with zod; measured apart from the engine so each cost is visible.
  t = performance.now();
  const data = dataSetSchema.parse(raw);
  const validateSeconds = seconds(t);
  const plan = planSchema.parse(benchPlan);

  // The full year: one (payee, fiscal year) partition per payee, every line with its trace and tier slices.
  t = performance.now();
  const ctx = prepare({ plans: [plan], data });
  const creditSeconds = seconds(t);
  t = performance.now();
  const result = calculateWith(ctx, String(YEAR));
  const partitionSeconds = seconds(t);
  const fullYearSeconds = Math.round((creditSeconds + partitionSeconds) * 100) / 100;

  let lines = 0;
  let earnings = ZERO;
  for (const p of result.payees) {
    lines += p.lines.length;
    earnings = earnings.plus(dec(p.earnings));
  }
  const rssAfterEngine = process.memoryUsage().rss;

  // The same year without explanations (traces and tier slices), as a recalculation that only needs totals would run.
  t = performance.now();
  const quiet = calculateWith(prepare({ plans: [plan], data, explain: false }), String(YEAR));
  const noExplainSeconds = seconds(t);
  const quietEarnings = quiet.payees.reduce((acc, p) => acc.plus(dec(p.earnings)), ZERO);

  t = performance.now();
  const float = floatTotals(data);
  const floatSeconds = (performance.now() - t) / 1000;

  return {
    payees: data.payees.length,
    deals: data.deals.length,
    lines,
    lines_per_second: Math.round(lines / fullYearSeconds),
    full_year_seconds: fullYearSeconds,
    full_year_seconds_no_explain: noExplainSeconds,
    float_loop_seconds: Math.round(floatSeconds * 1000) / 1000,
    float_loop_ratio: Math.round((fullYearSeconds / floatSeconds) * 10) / 10,
    // Where the time goes, in seconds.
    generate_seconds: generateSeconds,
    validate_seconds: validateSeconds,
    credit_seconds: creditSeconds,
    partition_seconds: partitionSeconds,
    rss_mb: Math.round(Math.max(rssAfterEngine, process.resourceUsage().maxRSS * 1024) / 1048576),
    // Exactness check: the float loop's total drifts from the engine's exact one by rounding alone.
    earnings_total: toDecimalString(earnings, 2),
    earnings_total_no_explain_equal: quietEarnings.equals(earnings),
    float_earnings_diff: toDecimalString(earnings.minus(dec(Math.round(float.earnings * 100)).dividedBy(100)), 2),
    team_credited: result.team.credited,
    float_lines: float.lines,
  };
}

/**
 * The batched open-deal estimate equals `estimate(input, dealId)` deal by deal: on the reference scenario
 * (its open deals, and every 2026 deal reopened) and on random data under plans that exercise every
 * cross-partition dependency (roll-ups, overrides on team revenue and earnings, team pools, per-customer
 * caps, clawbacks, splits and overlays).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataSetSchema, type DataSet, type Deal } from '../../src/data/index.js';
import { estimate, type EngineInput } from '../../src/engine/index.js';
import type { DealEstimate } from '../../src/engine/types.js';
import { estimateOpenDeals } from '../../src/index.js';
import { parsePlan, type Plan } from '../../src/plan/index.js';
import { data, plan } from './helpers.js';

const scenario = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../examples/reference-scenario/${name}`, import.meta.url), 'utf8')) as unknown;
const parsedPlan = parsePlan(scenario('plan.json'));
if (!parsedPlan.ok) throw new Error('reference plan does not parse');
const referencePlan = parsedPlan.plan;
const referenceData = dataSetSchema.parse(scenario('data.json'));

const warningKey = (w: DealEstimate['warnings'][number]) =>
  `${w.code}|${w.dealId ?? ''}|${w.payeeId ?? ''}|${w.message}`;

/** Every open deal's batched estimate against `estimate` for it (what-if close dates passed to both). */
function expectSameAsEstimate(input: EngineInput, closeDates?: ReadonlyMap<string, string>): number {
  const batch = estimateOpenDeals(input, closeDates ? { closeDates } : {});
  const open = [...new Map(input.data.deals.map((d) => [d.id, d])).values()].filter((d) => d.status === 'open');
  expect([...batch.estimates.keys()].sort()).toEqual(open.map((d) => d.id).sort());
  const owners = estimateOpenDeals(input, { payees: 'owner', ...(closeDates ? { closeDates } : {}) });
  for (const d of open) {
    const close = closeDates?.get(d.id);
    const one = estimate(input, d.id, close === undefined ? undefined : { closeDate: close });
    const got = batch.estimates.get(d.id)!;
    expect({ ...got, warnings: [] }).toEqual({ ...one, warnings: [] });
    // a deal's own warnings are among the ones `estimate` reports (which also lists the data's)
    const known = new Set(one.warnings.map(warningKey));
    for (const w of got.warnings) expect(known.has(warningKey(w)), warningKey(w)).toBe(true);
    expect(owners.estimates.get(d.id)!.payees).toEqual(one.payees.filter((p) => p.payeeId === d.ownerId));
  }
  return open.length;
}

describe('estimateOpenDeals equals estimate per deal', () => {
  it('reference scenario: the open deals, as of 15 October 2026', () => {
    const input = { plans: referencePlan, data: referenceData, periodId: '2026-Q4', asOf: '2026-10-15' };
    expect(expectSameAsEstimate(input)).toBe(4);
    const anna = estimateOpenDeals(input).estimates.get('D-2026-055')!;
    expect(anna.periodId).toBe('2026-Q4');
    expect(anna.payees.map((p) => p.payeeId)).toEqual(['anna']);
    expect(anna.payees[0]!.commission).not.toBe('0.00');
  });

  it('reference scenario: every 2026 deal reopened, some without a close date, some overdue and estimated today', () => {
    const deals = referenceData.deals.map((d, i): Deal =>
      d.closeDate?.startsWith('2026') ? { ...d, status: 'open', closeDate: i % 7 === 0 ? null : d.closeDate } : d,
    );
    const input = { plans: referencePlan, data: { ...referenceData, deals }, periodId: '2026-Q3', asOf: '2026-08-20' };
    expect(expectSameAsEstimate(input)).toBeGreaterThan(40);
    const overdue = new Map(
      deals
        .filter((d) => d.status === 'open' && d.closeDate !== null && d.closeDate < '2026-08-20')
        .map((d) => [d.id, '2026-08-20']),
    );
    expect(overdue.size).toBeGreaterThan(10);
    expectSameAsEstimate(input, overdue);
  });

  it('a deal without a close date and no asOf is an error naming it', () => {
    const deals = [{ ...referenceData.deals[0]!, status: 'open' as const, closeDate: null }];
    expect(() =>
      estimateOpenDeals({ plans: referencePlan, data: { ...referenceData, deals }, periodId: '2026-Q3' }),
    ).toThrow(/deal "D-2026-001" has no close date/);
  });

  it('skips deals that are not open and ids it does not know', () => {
    const input = { plans: referencePlan, data: referenceData, periodId: '2026-Q4', asOf: '2026-10-15' };
    const r = estimateOpenDeals(input, { dealIds: ['D-2026-001', 'nope', 'D-2026-053'] });
    expect([...r.estimates.keys()]).toEqual(['D-2026-053']);
  });

  const people = [
    { id: 'm', name: 'Manager', teamId: 't' },
    { id: 'a', name: 'A', managerId: 'm', teamId: 't' },
    { id: 'b', name: 'B', managerId: 'm', teamId: 't' },
    { id: 'c', name: 'C', managerId: 'b', teamId: 't' },
    { id: 'x', name: 'X' },
  ];
  const quotas = people.flatMap((p) =>
    ['2026', '2027'].map((periodId) => ({ payeeId: p.id, periodId, amount: '400000' })),
  );
  const tiers = {
    axis: 'attainment' as const,
    tiers: [
      { from: '0', to: '0.5', rate: '0.02' },
      { from: '0.5', to: '1', rate: '0.04' },
      { from: '1', to: '1.5', rate: '0.04', multiplier: '1.5' },
      { from: '1.5', to: null, rate: '0.07', application: 'retroactive' as const },
    ],
  };
  const plans: Plan[] = [
    plan(
      [
        {
          id: 'rev',
          name: 'Revenue',
          rates: tiers,
          caps: [
            { kind: 'perPeriod', amount: '9000' },
            { kind: 'perCustomer', amount: '2500' },
          ],
        },
      ],
      {
        crediting: { rollUp: 'direct' },
        spifs: [
          {
            id: 'spring',
            name: 'Spring',
            from: '2026-03-01',
            to: '2026-05-31',
            filter: { dealTypes: ['new'] },
            payout: { kind: 'perDeal', amount: '100' },
          },
          {
            id: 'pool',
            name: 'Pool',
            from: '2026-06-01',
            to: '2026-09-30',
            payout: { kind: 'teamPool', amount: '1000', teamId: 't' },
          },
        ],
        overrides: [{ id: 'ovr', name: 'Override', basis: 'teamRevenue', rate: '0.01', aboveAmount: '50000' }],
        clawback: {
          schedule: [
            { monthsSinceCloseBelow: 3, percent: '1' },
            { monthsSinceCloseBelow: 6, percent: '0.5' },
          ],
        },
      },
    ),
    plan(
      [{ id: 'rev', name: 'Revenue', period: 'month', rates: { ...tiers, application: 'marginal', input: 'period' } }],
      {
        crediting: { rollUp: 'all', overlay: 'credit' },
        overrides: [{ id: 'ovr', name: 'Override', basis: 'teamEarnings', rate: '0.1', depth: 'all' }],
      },
    ),
  ];
  const dateArb = fc
    .record({ y: fc.constantFrom(2026, 2027), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
    .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  const dealArb = (i: number) =>
    fc
      .record({
        owner: fc.constantFrom('a', 'b', 'c', 'm', 'x'),
        amount: fc.integer({ min: 0, max: 150000 }),
        cents: fc.integer({ min: 0, max: 99 }),
        status: fc.constantFrom('won', 'won', 'open', 'open', 'lost'),
        close: fc.option(dateArb, { nil: null, freq: 6 }),
        split: fc.option(
          fc.record({
            other: fc.constantFrom('a', 'b', 'c', 'm'),
            bp: fc.integer({ min: 1, max: 9999 }),
            overlay: fc.boolean(),
          }),
          { nil: undefined },
        ),
        type: fc.constantFrom('new', 'renewal'),
        customer: fc.constantFrom('k1', 'k2', 'k3'),
        cancelAfterDays: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined, freq: 3 }),
      })
      .map((r): Deal => {
        const close = r.status === 'won' && r.close === null ? '2026-06-15' : r.close;
        const splits =
          r.split && r.split.other !== r.owner
            ? r.split.overlay
              ? [{ payeeId: r.split.other, share: '0.25', type: 'overlay' as const }]
              : [
                  { payeeId: r.owner, share: (r.split.bp / 10000).toString(), type: 'revenue' as const },
                  {
                    payeeId: r.split.other,
                    share: ((10000 - r.split.bp) / 10000).toString(),
                    type: 'revenue' as const,
                  },
                ]
            : undefined;
        const cancelled =
          r.status === 'won' && close && r.cancelAfterDays !== undefined ? addDays(close, r.cancelAfterDays) : null;
        return {
          id: `d${String(i).padStart(3, '0')}`,
          ownerId: r.owner,
          amount: `${r.amount}.${String(r.cents).padStart(2, '0')}`,
          currency: 'DKK',
          status: r.status,
          closeDate: close,
          dealType: r.type,
          customerId: r.customer,
          cancelledDate: cancelled,
          ...(splits ? { splits } : {}),
        };
      });
  const dealsArb = fc
    .integer({ min: 1, max: 14 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => dealArb(i))));

  it('random data under two plans: every open deal, any statement period kind and as-of date', () => {
    fc.assert(
      fc.property(
        dealsArb,
        fc.constantFrom(0, 1),
        fc.constantFrom('2026', '2026-Q3', '2027-02'),
        dateArb,
        fc.boolean(),
        (deals, planIndex, periodId, asOf, overdueToday) => {
          const d: DataSet = data({ payees: people, quotas, deals });
          const input = { plans: plans[planIndex]!, data: d, periodId, asOf };
          const overdue = overdueToday
            ? new Map(
                deals
                  .filter((x) => x.status === 'open' && x.closeDate !== null && x.closeDate < asOf)
                  .map((x) => [x.id, asOf]),
              )
            : undefined;
          expectSameAsEstimate(input, overdue);
        },
      ),
      { numRuns: 30 },
    );
  });
});

function addDays(date: string, n: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

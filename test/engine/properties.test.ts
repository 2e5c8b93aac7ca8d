import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dec, sum } from '../../src/money/index.js';
import { FxTable } from '../../src/money/index.js';
import { creditDeal } from '../../src/credit/index.js';
import { calculatePartition, estimate, prepare, touchedPartitions, type EngineLine } from '../../src/engine/index.js';
import type { DataSet, Deal } from '../../src/data/index.js';
import { plan, data, run, payee } from './helpers.js';

const RUNS = { numRuns: 25 };

const people = [
  { id: 'm', name: 'Manager' },
  { id: 'a', name: 'A', managerId: 'm', teamId: 't' },
  { id: 'b', name: 'B', managerId: 'm', teamId: 't' },
  { id: 'c', name: 'C', teamId: 't' },
];
const quotas = ['a', 'b', 'c', 'm'].flatMap((id) => [
  { payeeId: id, periodId: '2026', amount: '400000' },
  { payeeId: id, periodId: '2027', amount: '400000' },
]);

/** Marginal tiers, a retroactive top tier, an accelerator, a cap, SPIFs (one a team pool), roll-ups, an override, a customer cap and clawbacks. */
const rich = plan(
  [
    {
      id: 'rev',
      name: 'Revenue',
      rates: {
        axis: 'attainment',
        tiers: [
          { from: '0', to: '0.5', rate: '0.02' },
          { from: '0.5', to: '1', rate: '0.04' },
          { from: '1', to: '1.5', rate: '0.04', multiplier: '1.5' },
          { from: '1.5', to: null, rate: '0.07', application: 'retroactive' },
        ],
      },
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
        to: '2026-06-30',
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
);

const dateArb = fc
  .record({ y: fc.constantFrom(2026, 2027), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const dealArb = (id: number) =>
  fc
    .record({
      owner: fc.constantFrom('a', 'b', 'c'),
      amount: fc.integer({ min: 0, max: 120000 }),
      cents: fc.integer({ min: 0, max: 99 }),
      close: dateArb,
      split: fc.option(fc.record({ other: fc.constantFrom('a', 'b', 'c'), bp: fc.integer({ min: 1, max: 9999 }) }), {
        nil: undefined,
      }),
      type: fc.constantFrom('new', 'renewal'),
      customer: fc.constantFrom('x', 'y', 'z'),
      cancelAfterDays: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    })
    .map((r): Deal => {
      const splits =
        r.split && r.split.other !== r.owner
          ? [
              { payeeId: r.owner, share: (r.split.bp / 10000).toString(), type: 'revenue' as const },
              { payeeId: r.split.other, share: ((10000 - r.split.bp) / 10000).toString(), type: 'revenue' as const },
            ]
          : undefined;
      const cancelled = r.cancelAfterDays === undefined ? null : addDays(r.close, r.cancelAfterDays);
      return {
        id: `d${String(id).padStart(3, '0')}`,
        ownerId: r.owner,
        amount: `${r.amount}.${String(r.cents).padStart(2, '0')}`,
        currency: 'DKK',
        status: 'won',
        closeDate: r.close,
        dealType: r.type,
        customerId: r.customer,
        cancelledDate: cancelled,
        ...(splits ? { splits } : {}),
      };
    });
const dealsArb = fc
  .integer({ min: 1, max: 10 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => dealArb(i))));

function addDays(date: string, n: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

const withDeals = (deals: Deal[]): DataSet => data({ payees: people, quotas, deals });
const shape = (lines: EngineLine[]) =>
  lines.map((l) => ({ id: l.id, kind: l.kind, date: l.date, amount: l.amount, trace: l.trace, tiers: l.tiers }));
const YEARS = [2026, 2027];

describe('properties', () => {
  it('deal-by-deal incremental recalculation, in any order, equals the full calculation', () => {
    fc.assert(
      fc.property(
        dealsArb.chain((deals) =>
          fc.tuple(
            fc.constant(deals),
            fc.shuffledSubarray(deals, { minLength: deals.length, maxLength: deals.length }),
          ),
        ),
        ([deals, order]) => {
          const full = prepare({ plans: rich, data: withDeals(deals) });
          let current: Deal[] = [];
          let ctx = prepare({ plans: rich, data: withDeals(current) });
          const stored = new Map<string, EngineLine[]>();
          for (const p of people)
            for (const y of YEARS) stored.set(`${p.id}/${y}`, calculatePartition(ctx, p.id, y).lines);
          for (const d of order) {
            current = [...current, d];
            ctx = prepare({ plans: rich, data: withDeals(current) });
            for (const k of touchedPartitions(ctx, null, d))
              stored.set(`${k.payeeId}/${k.fiscalYear}`, calculatePartition(ctx, k.payeeId, k.fiscalYear).lines);
          }
          for (const p of people)
            for (const y of YEARS)
              expect(shape(stored.get(`${p.id}/${y}`)!)).toEqual(shape(calculatePartition(full, p.id, y).lines));
        },
      ),
      RUNS,
    );
  });

  it('split shares always sum to the deal credit exactly', () => {
    const payees = new Map(['p0', 'p1', 'p2', 'p3', 'p4'].map((id) => [id, { id, name: id }]));
    const flat = plan(
      [{ id: 'rev', name: 'Revenue', rates: { axis: 'amount', tiers: [{ from: '0', to: null, rate: '0' }] } }],
      {},
      { currency: 'EUR' },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 99 }),
        fc
          .uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: 0, maxLength: 4 })
          .map((cuts) => [...cuts].sort((x, y) => x - y)),
        fc.constantFrom('1', '7.4612', '0.134'),
        (whole, cents, cuts, rate) => {
          const edges = [0, ...cuts, 10000];
          const splits = edges
            .slice(1)
            .map((e, i) => ({
              payeeId: `p${i}`,
              share: ((e - edges[i]!) / 10000).toString(),
              type: 'revenue' as const,
            }));
          const deal: Deal = {
            id: 'd',
            ownerId: 'p0',
            amount: `${whole}.${String(cents).padStart(2, '0')}`,
            currency: 'DKK',
            status: 'won',
            closeDate: '2026-05-05',
            splits,
          };
          const fx = new FxTable([{ from: 'DKK', to: 'EUR', date: '2026-01-01', rate }]);
          const credits = creditDeal(deal, { payees, planFor: () => flat, fx }, []);
          const converted = dec(deal.amount).times(dec(rate)).toDecimalPlaces(2);
          expect(sum(credits.map((c) => c.amount)).equals(converted)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with non-negative rates, adding a credit never lowers earnings', () => {
    const tiersArb = fc.array(
      fc.record({ rate: fc.integer({ min: 0, max: 30 }), mult: fc.constantFrom('0.5', '1', '1.5', '2') }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(tiersArb, dealsArb, dealArb(99), (tiers, deals, extra) => {
        const p = plan(
          [
            {
              id: 'rev',
              name: 'Revenue',
              rates: {
                axis: 'attainment',
                tiers: tiers.map((t, i) => ({
                  from: String(i * 0.5),
                  to: i === tiers.length - 1 ? null : String((i + 1) * 0.5),
                  rate: String(t.rate / 100),
                  multiplier: t.mult,
                })),
              },
              caps: [{ kind: 'perPeriod', amount: '20000' }],
            },
          ],
          {
            spifs: [
              {
                id: 's',
                name: 'S',
                from: '2026-01-01',
                to: '2026-12-31',
                payout: { kind: 'percentOfRevenue', rate: '0.01' },
              },
            ],
          },
        );
        const without = run(p, withDeals(deals), '2026');
        const withIt = run(p, withDeals([...deals, extra]), '2026');
        for (const id of ['a', 'b', 'c'])
          expect(dec(payee(withIt, id).earnings).greaterThanOrEqualTo(dec(payee(without, id).earnings))).toBe(true);
      }),
      RUNS,
    );
  });

  it('estimate equals calculate(with) − calculate(without)', () => {
    fc.assert(
      fc.property(
        dealsArb,
        dealArb(99),
        fc.option(fc.integer({ min: 1, max: 200000 }), { nil: undefined }),
        (deals, candidate, whatIf) => {
          const open: Deal = { ...candidate, id: 'open', status: 'open', cancelledDate: null };
          const input = { plans: rich, data: withDeals([...deals, open]), periodId: '2026-Q1' };
          const est = estimate(input, 'open', whatIf === undefined ? undefined : { amount: String(whatIf) });
          const won = { ...open, status: 'won' as const, amount: whatIf === undefined ? open.amount : String(whatIf) };
          const withIt = run(rich, withDeals([...deals, won]), est.periodId!);
          const without = run(rich, withDeals([...deals, { ...open, status: 'lost' }]), est.periodId!);
          expect(est.payees.length).toBeGreaterThan(0);
          for (const e of est.payees) {
            const diff = dec(payee(withIt, e.payeeId).earnings).minus(dec(payee(without, e.payeeId).earnings));
            expect(dec(e.commission).equals(diff)).toBe(true);
            expect(e.after.earnings).toBe(payee(withIt, e.payeeId).earnings);
          }
        },
      ),
      RUNS,
    );
  });

  it('restating a paid period posts a delta and never rewrites what was paid', () => {
    const monthly = plan([
      {
        id: 'rev',
        name: 'Revenue',
        period: 'month',
        rates: {
          axis: 'amount',
          tiers: [
            { from: '0', to: '50000', rate: '0.05' },
            { from: '50000', to: null, rate: '0.08' },
          ],
        },
      },
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 90000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 90000 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 90000 }),
        (jan, feb, restated) => {
          const deals: Deal[] = [
            ...jan.map((a, i): Deal => ({
              id: `j${i}`,
              ownerId: 'a',
              amount: String(a),
              currency: 'DKK',
              status: 'won',
              closeDate: '2026-01-15',
            })),
            ...feb.map((a, i): Deal => ({
              id: `f${i}`,
              ownerId: 'a',
              amount: String(a),
              currency: 'DKK',
              status: 'won',
              closeDate: '2026-02-15',
            })),
          ];
          const first = payee(run(monthly, data({ payees: people, deals }), '2026-01'), 'a');
          const payments = [{ payeeId: 'a', periodId: '2026-01', amount: first.payable }];
          const changed = deals.map((d) => (d.id === 'j0' ? { ...d, amount: String(restated) } : d));
          const janAgain = payee(run(monthly, data({ payees: people, deals: changed, payments }), '2026-01'), 'a');
          const febStatement = payee(run(monthly, data({ payees: people, deals: changed, payments }), '2026-02'), 'a');
          expect(janAgain.paidToDate).toBe(first.payable); // what was paid stays paid
          expect(dec(febStatement.priorPeriodsDelta!).equals(dec(janAgain.earnings).minus(dec(first.earnings)))).toBe(
            true,
          );
          expect(
            dec(febStatement.payable).equals(
              dec(febStatement.earnings).plus(dec(janAgain.earnings)).minus(dec(first.earnings)),
            ),
          ).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
